import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends } from "../../../test/support/backends.js";
import { thrownError } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createAnalysisRun, recordMeasurements, type AnalysisRunState } from "../analysis/analysisRun.js";
import { step } from "../rollout/rolloutMachine.js";
import { createRollout, type RolloutState } from "../rollout/rolloutState.js";
import { defaultAnalysisTemplate, defaultRolloutSpec, defaultRolloutSpecYaml } from "./defaultRollout.js";
import {
  DeploymentStore,
  validateEndpointName,
  type DeploymentRecord,
  type StoredAnalysisRun,
} from "./deploymentStore.js";
import { rejection } from "../../../test/support/thrownError.js";

const T0 = 1_700_000_000_000;
const STABLE = "models:/churn/1";
const CANDIDATE = "models:/churn/2";

function newRecord(name: string, state: RolloutState = createRollout(defaultRolloutSpec("canary"), STABLE)) {
  return {
    name,
    specYaml: defaultRolloutSpecYaml("canary"),
    templates: [{ name: "latency", yaml: "kind: AnalysisTemplate\n" }],
    state,
    webhooks: ["https://hooks.example.com/flowops"],
    createdAt: T0,
  } satisfies Omit<DeploymentRecord, "updatedAt">;
}

/** A canary that has started: the candidate is at 10 % with background analysis running. */
function progressingState(): RolloutState {
  const deployed = step(
    createRollout(defaultRolloutSpec("canary"), STABLE),
    { type: "deploy", candidate: CANDIDATE },
    T0,
  );
  return step(deployed.state, { type: "candidateLoaded" }, T0 + 1).state;
}

function analysisRun(runId: string, state: AnalysisRunState): StoredAnalysisRun {
  return {
    deployment: "churn",
    runId,
    kind: "background",
    phase: state.phase,
    state,
    startedAt: state.startedAt,
    ...(state.finishedAt === undefined ? {} : { finishedAt: state.finishedAt }),
  };
}

describe("validateEndpointName", () => {
  it("accepts DNS labels of up to 63 characters", () => {
    expect(validateEndpointName("churn-v2", "name")).toBe("churn-v2");
    expect(validateEndpointName("a".repeat(63), "name")).toBe("a".repeat(63));
  });

  it.each(["", "Churn", "-churn", "churn-", "churn_v2", "a".repeat(64), "churn.v2"])(
    "rejects %j naming the field and the rule",
    (name) => {
      const error = thrownError(() => validateEndpointName(name, "endpoint"));
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      expect(error.message).toContain(`endpoint '${name}'`);
      expect(error.message).toContain("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    },
  );
});

describe.each(metadataBackends())("DeploymentStore on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let store: DeploymentStore;

  beforeEach(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    store = new DeploymentStore(meta);
  });
  afterEach(async () => close());

  it("creates a deployment and reads back the same record", async () => {
    const record = newRecord("churn", progressingState());
    await store.create(record);
    expect(await store.get("churn")).toEqual({ ...record, updatedAt: T0 });
  });

  it("refuses a second deployment of a taken name", async () => {
    await store.create(newRecord("churn"));
    const error = await rejection(store.create(newRecord("churn")));
    expect(error.code).toBe("RESOURCE_ALREADY_EXISTS");
    expect(error.message).toContain("churn");
  });

  it("rejects an invalid name and a webhook that is not an http URL before writing", async () => {
    expect((await rejection(store.create(newRecord("Churn")))).code).toBe("INVALID_PARAMETER_VALUE");
    const error = await rejection(store.create({ ...newRecord("churn"), webhooks: ["ftp://x"] }));
    expect(error.message).toContain("webhooks[0] 'ftp://x'");
    expect(await store.list()).toEqual([]);
  });

  it("answers RESOURCE_DOES_NOT_EXIST for a deployment that was never created", async () => {
    const calls = [
      () => store.get("nope"),
      () => store.events("nope"),
      () => store.delete("nope"),
      () => store.save("nope", progressingState(), [], [], T0),
    ];
    for (const call of calls) expect((await rejection(call())).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("lists deployments by name", async () => {
    await store.create(newRecord("zeta"));
    await store.create(newRecord("alpha"));
    expect((await store.list()).map((r) => r.name)).toEqual(["alpha", "zeta"]);
  });

  it("saves state, events and analysis runs together", async () => {
    await store.create(newRecord("churn"));
    const state = progressingState();
    const run = createAnalysisRun(defaultAnalysisTemplate(), { endpoint: "churn" }, T0);
    await store.save(
      "churn",
      state,
      [
        { at: T0 + 1, kind: "StepCompleted", details: "step 0: setWeight 10" },
        {
          at: T0 + 1,
          kind: "AnalysisStarted",
          details: "background",
          values: { templates: ["flowops-default"] },
        },
      ],
      [analysisRun("rev1.0-background-1", run)],
      T0 + 5,
    );

    const record = await store.get("churn");
    expect(record.state).toEqual(state);
    expect(record.updatedAt).toBe(T0 + 5);
    const events = await store.events("churn");
    expect(events.map(({ id: _, ...rest }) => rest)).toEqual([
      { deployment: "churn", at: T0 + 1, kind: "StepCompleted", details: "step 0: setWeight 10" },
      {
        deployment: "churn",
        at: T0 + 1,
        kind: "AnalysisStarted",
        details: "background",
        values: { templates: ["flowops-default"] },
      },
    ]);
    expect(await store.analysisRuns("churn")).toEqual([analysisRun("rev1.0-background-1", run)]);
  });

  it("updates an analysis run saved again under the same id", async () => {
    await store.create(newRecord("churn"));
    const running = createAnalysisRun(defaultAnalysisTemplate(), {}, T0);
    await store.save("churn", progressingState(), [], [analysisRun("run-1", running)], T0);
    const failed = recordMeasurements(
      running,
      { "error-rate": { value: 0.5 }, "latency-p99": { value: 0 }, agreement: { value: 1 } },
      T0 + 1000,
    );
    expect(failed.phase).toBe("Failed");
    await store.save("churn", progressingState(), [], [analysisRun("run-1", failed)], T0 + 1000);

    const runs = await store.analysisRuns("churn");
    expect(runs).toEqual([analysisRun("run-1", failed)]);
    expect(runs[0]?.finishedAt).toBe(T0 + 1000);
    expect(await store.analysisRuns("churn", { activeOnly: true })).toEqual([]);
  });

  it("keeps run ids of different deployments apart", async () => {
    await store.create(newRecord("churn"));
    await store.create(newRecord("fraud"));
    const run = createAnalysisRun(defaultAnalysisTemplate(), {}, T0);
    await store.save("churn", progressingState(), [], [analysisRun("run-1", run)], T0);
    await store.save(
      "fraud",
      progressingState(),
      [],
      [{ ...analysisRun("run-1", run), deployment: "fraud" }],
      T0,
    );
    expect((await store.analysisRuns("churn")).map((r) => r.deployment)).toEqual(["churn"]);
    expect((await store.analysisRuns("fraud")).map((r) => r.deployment)).toEqual(["fraud"]);
  });

  it("lists only Pending and Running runs when asked for active ones", async () => {
    await store.create(newRecord("churn"));
    const running = recordMeasurements(
      createAnalysisRun(defaultAnalysisTemplate(), {}, T0),
      { "error-rate": { value: 0 } },
      T0,
    );
    const failed = recordMeasurements(running, { "error-rate": { value: 0.9 } }, T0 + 1000);
    await store.save(
      "churn",
      progressingState(),
      [],
      [analysisRun("a-running", running), analysisRun("b-failed", failed)],
      T0,
    );
    const active = await store.analysisRuns("churn", { activeOnly: true });
    expect(active.map((r) => [r.runId, r.phase])).toEqual([["a-running", "Running"]]);
    expect(await store.analysisRuns("churn")).toHaveLength(2);
  });

  it("writes nothing when any part of a save fails", async () => {
    await store.create(newRecord("churn"));
    const run = createAnalysisRun(defaultAnalysisTemplate(), {}, T0);
    // A run without a phase breaks a NOT NULL column after the state update and the events are written;
    // the transaction must take those back.
    const broken = { ...analysisRun("run-1", run), phase: null as unknown as string };
    await expect(
      store.save("churn", progressingState(), [{ at: T0, kind: "X", details: "" }], [broken], T0 + 9),
    ).rejects.toThrow();
    const record = await store.get("churn");
    expect(record.updatedAt).toBe(T0);
    expect(record.state.phase).toBe("Healthy");
    expect(await store.events("churn")).toEqual([]);
  });

  it("replaces spec, templates, webhooks and state together and records the update's events", async () => {
    await store.create(newRecord("churn"));
    const state = createRollout(defaultRolloutSpec("blueGreen"), STABLE);
    const update = {
      specYaml: defaultRolloutSpecYaml("blueGreen"),
      templates: [{ name: "errors", yaml: "kind: AnalysisTemplate\n" }],
      webhooks: ["https://hooks.example.com/other"],
      state,
    };
    await store.updateSpec(
      "churn",
      update,
      [{ at: T0 + 5, kind: "SpecUpdated", details: "blueGreen" }],
      T0 + 5,
    );
    expect(await store.get("churn")).toEqual({ ...newRecord("churn"), ...update, updatedAt: T0 + 5 });
    expect((await store.events("churn")).map((e) => [e.kind, e.details])).toEqual([
      ["SpecUpdated", "blueGreen"],
    ]);
  });

  it("leaves the deployment as it was when a spec update fails", async () => {
    await store.create(newRecord("churn"));
    const update = {
      specYaml: defaultRolloutSpecYaml("blueGreen"),
      templates: [],
      webhooks: [],
      state: createRollout(defaultRolloutSpec("blueGreen"), STABLE),
    };
    // An event without a kind breaks a NOT NULL column after the deployment row was updated.
    const broken = { at: T0, kind: null as unknown as string, details: "" };
    await expect(store.updateSpec("churn", update, [broken], T0 + 9)).rejects.toThrow();
    expect(await store.get("churn")).toEqual({ ...newRecord("churn"), updatedAt: T0 });
    const badHook = { ...update, webhooks: ["ftp://x"] };
    expect((await rejection(store.updateSpec("churn", badHook, [], T0))).message).toContain(
      "webhooks[0] 'ftp://x'",
    );
    expect((await rejection(store.updateSpec("nope", update, [], T0))).code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("refuses a run that belongs to another deployment", async () => {
    await store.create(newRecord("churn"));
    const run = {
      ...analysisRun("run-1", createAnalysisRun(defaultAnalysisTemplate(), {}, T0)),
      deployment: "fraud",
    };
    const error = await rejection(store.save("churn", progressingState(), [], [run], T0));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("pages events after an id, in order, with a limit", async () => {
    await store.create(newRecord("churn"));
    const events = Array.from({ length: 5 }, (_, i) => ({ at: T0, kind: "E", details: `event ${i}` }));
    await store.save("churn", progressingState(), events, [], T0);
    const all = await store.events("churn");
    expect(all.map((e) => e.details)).toEqual(events.map((e) => e.details));
    const firstTwo = await store.events("churn", { limit: 2 });
    expect(firstTwo.map((e) => e.details)).toEqual(["event 0", "event 1"]);
    const rest = await store.events("churn", { afterId: firstTwo[1]?.id ?? 0 });
    expect(rest.map((e) => e.details)).toEqual(["event 2", "event 3", "event 4"]);
    expect((await rejection(store.events("churn", { limit: 0 }))).code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("deletes a deployment with its events, runs and feedback", async () => {
    await store.create(newRecord("churn"));
    const run = createAnalysisRun(defaultAnalysisTemplate(), {}, T0);
    await store.save(
      "churn",
      progressingState(),
      [{ at: T0, kind: "E", details: "" }],
      [analysisRun("r", run)],
      T0,
    );
    await store.recordFeedback({ requestId: "q1", endpoint: "churn", label: "1", at: T0 });
    await store.delete("churn");

    expect((await rejection(store.get("churn"))).code).toBe("RESOURCE_DOES_NOT_EXIST");
    await store.create(newRecord("churn"));
    expect(await store.events("churn")).toEqual([]);
    expect(await store.analysisRuns("churn")).toEqual([]);
    expect(await store.feedbackCount("churn")).toBe(0);
  });

  it("counts feedback per endpoint, after an id when given", async () => {
    await store.recordFeedback({ requestId: "q0", label: "yes", at: T0 });
    await store.recordFeedback({
      requestId: "q1",
      endpoint: "churn",
      model: CANDIDATE,
      label: "1",
      prediction: "1",
      correct: true,
      at: T0,
    });
    await store.recordFeedback({ requestId: "q2", endpoint: "churn", label: "0", correct: false, at: T0 });
    await store.recordFeedback({ requestId: "q3", endpoint: "fraud", label: "0", at: T0 });
    expect(await store.feedbackCount("churn")).toBe(2);
    const rows = await meta.db
      .selectFrom("feedback")
      .select(["id", "request_id", "correct"])
      .orderBy("id")
      .execute();
    expect(rows.map((r) => [r.request_id, r.correct])).toEqual([
      ["q0", null],
      ["q1", 1],
      ["q2", 0],
      ["q3", null],
    ]);
    expect(await store.feedbackCount("churn", rows[1]?.id)).toBe(1);
  });
});
