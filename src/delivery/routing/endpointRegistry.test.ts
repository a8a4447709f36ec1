import { describe, expect, it, vi } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { ServingMetrics } from "../../serving/servingMetrics.js";
import type { AnswerEvent } from "./endpointRegistry.js";
import {
  canary,
  CANDIDATE,
  closeRegistriesAfterEach,
  fakeModel,
  fixture,
  meta,
  NOW,
  rows,
  servingBoth,
  STABLE,
} from "./endpointRegistryFixtures.js";

closeRegistriesAfterEach();

describe("EndpointRegistry", () => {
  it("splits 100 requests 90/10 between stable and candidate and answers from the chosen model", async () => {
    const { registry } = await servingBoth({ candidate: { factor: 10 } });
    registry.setTraffic("churn", canary(10));
    const results = [];
    for (let i = 0; i < 100; i++) results.push(await registry.infer("churn", rows([1, 2]), meta(`r${i}`)));
    const candidate = results.filter((result) => result.modelKey === CANDIDATE);
    expect(candidate).toHaveLength(10);
    expect(candidate.every((result) => result.variant === "candidate" && result.model.version === "2")).toBe(
      true,
    );
    expect(Array.from(candidate[0]?.outputs[0]?.data as Float64Array)).toEqual([30]);
    expect(results.filter((result) => result.variant === "stable")).toHaveLength(90);
  });

  it("keeps a user on one model through an A/B test and sends header-routed requests to the candidate", async () => {
    const { registry } = await servingBoth();
    registry.setTraffic(
      "churn",
      canary(50, {
        abTest: {
          stickiness: { header: "x-user-id", seed: "churn", separator: ":" },
          headerRoute: { header: "x-variant", match: { exact: "candidate" } },
        },
      }),
    );
    for (const user of ["u1", "u2", "u3", "u4", "u5"]) {
      const first = (await registry.infer("churn", rows([1, 1]), meta(user, { "x-user-id": user }))).modelKey;
      for (let i = 0; i < 5; i++) {
        const again = await registry.infer(
          "churn",
          rows([1, 1]),
          meta(`${user}-${i}`, { "x-user-id": user }),
        );
        expect(again.modelKey).toBe(first);
      }
    }
    for (let i = 0; i < 10; i++) {
      const routed = await registry.infer("churn", rows([1, 1]), meta(`h${i}`, { "x-variant": "candidate" }));
      expect(routed.modelKey).toBe(CANDIDATE);
    }
  });

  it("answers preview requests from the preview model and refuses them when there is none", async () => {
    const { registry } = await servingBoth();
    registry.setTraffic("churn", canary(0));
    await expect(
      registry.infer("churn", rows([1, 1]), { ...meta("p1"), preview: true }),
    ).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: /endpoint 'churn' has no preview model/,
    });
    registry.setTraffic("churn", canary(0, { preview: CANDIDATE }));
    const previewed = await registry.infer("churn", rows([1, 1]), { ...meta("p2"), preview: true });
    expect(previewed.modelKey).toBe(CANDIDATE);
    expect((await registry.infer("churn", rows([1, 1]), meta("p3"))).modelKey).toBe(STABLE);
  });

  it("names the known endpoints when a request addresses an unknown one", async () => {
    const { registry } = await servingBoth();
    registry.setTraffic("churn", canary(0));
    await expect(registry.infer("fraud", rows([1, 1]), meta("x"))).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "endpoint 'fraud' does not exist; endpoints: churn",
    });
  });

  it("answers from stable while a failing mirror only counts its errors on the mirrored model", async () => {
    const failure = new FlowOpsError("TEMPORARILY_UNAVAILABLE", "worker crashed");
    const f = await servingBoth({ candidate: { failWith: failure } });
    f.registry.setTraffic("churn", canary(0, { mirror: { model: CANDIDATE, percent: 100 } }));
    for (let i = 0; i < 4; i++) {
      const result = await f.registry.infer("churn", rows([1, 2]), meta(`m${i}`));
      expect(result.modelKey).toBe(STABLE);
      expect(Array.from(result.outputs[0]?.data as Float64Array)).toEqual([3]);
    }
    await f.registry.idle();
    const mirrored = f.requests.filter((o) => o.model === CANDIDATE);
    expect(mirrored.map((o) => o.status)).toEqual([503, 503, 503, 503]);
    expect(f.comparisons).toEqual([]);
    expect(f.telemetry.window("churn", CANDIDATE, NOW - 1000, NOW + 1000)).toMatchObject({
      requests: 4,
      errors: 4,
    });
  });

  it("records the mirror's agreement with stable without feeding mirrored answers to the ledger", async () => {
    const f = await servingBoth({ candidate: { factor: 2 } });
    f.registry.setTraffic("churn", canary(0, { mirror: { model: CANDIDATE, percent: 100 } }));
    const prediction = vi.spyOn(f.feedback, "recordPrediction");
    // Rows summing to 0 agree (2 * 0 = 0); the others differ.
    await f.registry.infer("churn", rows([0, 0], [1, 2], [-1, 1]), meta("m1"));
    await f.registry.idle();
    expect(f.comparisons).toEqual([{ endpoint: "churn", model: CANDIDATE, compared: 3, agreed: 2, at: NOW }]);
    expect(prediction.mock.calls).toEqual([["m1", "churn", STABLE, 0, NOW]]);
  });

  it("compares the candidate's answers with stable's for the compare fraction of its requests", async () => {
    const f = await servingBoth();
    f.registry.setTraffic("churn", canary(50, { compareFraction: 1 }));
    for (let i = 0; i < 10; i++) await f.registry.infer("churn", rows([i, 1]), meta(`c${i}`));
    await f.registry.idle();
    expect(f.comparisons).toHaveLength(5);
    expect(f.comparisons.every((o) => o.model === CANDIDATE && o.compared === 1 && o.agreed === 1)).toBe(
      true,
    );
    expect(f.requests.filter((o) => o.model === STABLE)).toHaveLength(5);
  });

  it("records telemetry, the ledger and request metrics with the answer's status", async () => {
    const metrics = new ServingMetrics();
    const observe = vi.spyOn(metrics, "observeRequest");
    const models = {
      [STABLE]: fakeModel("1"),
      [CANDIDATE]: fakeModel("2", { failWith: new FlowOpsError("INVALID_PARAMETER_VALUE", "bad row") }),
      "models:/churn/3": fakeModel("3", { failWith: new Error("segfault") }),
    };
    const f = fixture(models, { metrics });
    for (const key of Object.keys(models)) await f.registry.load("churn", key);
    const prediction = vi.spyOn(f.feedback, "recordPrediction");
    f.registry.setTraffic("churn", canary(0));
    await f.registry.infer("churn", rows([2, 3], [1, 1]), { ...meta("ok"), protocol: "mlflow" });
    f.registry.setTraffic("churn", {
      routes: [{ model: CANDIDATE, weight: 100 }],
      stable: STABLE,
      compareFraction: 0,
    });
    await expect(f.registry.infer("churn", rows([1, 1]), meta("bad"))).rejects.toThrow("bad row");
    f.registry.setTraffic("churn", {
      routes: [{ model: "models:/churn/3", weight: 100 }],
      stable: STABLE,
      compareFraction: 0,
    });
    await expect(f.registry.infer("churn", rows([1, 1]), meta("crash"))).rejects.toThrow("segfault");
    expect(f.requests.map((o) => [o.model, o.status, o.predictions, o.at])).toEqual([
      [STABLE, 200, [5, 2], NOW],
      [CANDIDATE, 400, undefined, NOW],
      ["models:/churn/3", 500, undefined, NOW],
    ]);
    expect(f.requests.every((o) => o.seconds >= 0)).toBe(true);
    expect(prediction.mock.calls).toEqual([["ok", "churn", STABLE, 5, NOW]]);
    expect(observe.mock.calls.map(([labels, protocol, status]) => [labels, protocol, status])).toEqual([
      [{ model: "churn", version: "1" }, "mlflow", 200],
      [{ model: "churn", version: "2" }, "v2", 400],
      [{ model: "churn", version: "3" }, "v2", 500],
    ]);
  });

  it("tells observers about every answer and hands a request copy only to those that ask for it", async () => {
    const { registry } = await servingBoth({
      candidate: { failWith: new FlowOpsError("INTERNAL_ERROR", "candidate broke") },
    });
    registry.setTraffic("churn", canary(50));
    const seen: AnswerEvent[] = [];
    let asked = 0;
    const remove = registry.addObserver({
      wantsRequest: () => asked++ % 2 === 0,
      answered: (event) => seen.push(event),
    });
    for (let i = 0; i < 4; i++)
      await registry.infer("churn", rows([1, 2]), meta(`r${i}`)).catch(() => undefined);
    remove();
    await registry.infer("churn", rows([1, 2]), meta("after"));
    expect(seen).toHaveLength(4);
    expect(seen.map((e) => e.status).sort()).toEqual([200, 200, 500, 500]);
    expect(seen.filter((e) => e.request !== undefined)).toHaveLength(2);
    expect(seen.filter((e) => e.status === 200).every((e) => e.outputs !== undefined)).toBe(true);
    expect(seen.every((e) => e.endpoint === "churn" && e.at === NOW)).toBe(true);
  });
});
