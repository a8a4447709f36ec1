import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetadataDb } from "../../db/connect.js";
import { setRegisteredModelAlias } from "../../registry/aliasStore.js";
import { createModelVersion, getModelVersion } from "../../registry/modelVersionStore.js";
import { createRegisteredModel } from "../../registry/registeredModelStore.js";
import { createExperiment } from "../../tracking/experimentStore.js";
import { logBatch } from "../../tracking/runLogging.js";
import { createRun } from "../../tracking/runStore.js";
import { metadataBackends } from "../../../test/support/backends.js";
import { evaluateGate } from "./evaluateGate.js";
import { parseGatePolicy } from "./gatePolicy.js";
import { latestGateRecord, listGateRecords } from "./gateRecords.js";

const ROOTS = ["mlflow-artifacts:/", "/srv/artifacts"];

describe.each(metadataBackends())("gate evaluation on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let experimentId: string;
  let clock = 1_700_000_000_000;
  const now = () => (clock += 1000);

  beforeEach(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    experimentId = await createExperiment(meta.db, { name: "gates" }, "mlflow-artifacts:/", now());
    await createRegisteredModel(meta.db, { name: "churn" }, now());
  });
  afterEach(async () => close());

  async function runWith(metrics: Record<string, number>): Promise<string> {
    const run = await createRun(meta.db, { experiment_id: experimentId }, now());
    const timestamp = now();
    await logBatch(meta.db, run.info.run_id, {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step: 0 })),
    });
    return run.info.run_id;
  }

  async function versionOf(runId: string): Promise<string> {
    const version = await createModelVersion(
      meta.db,
      { name: "churn", source: `runs:/${runId}/model`, run_id: runId },
      ROOTS,
      now(),
    );
    return version.version;
  }

  const policy = (conditions: string[], extra = "") =>
    parseGatePolicy(
      `name: prod-gate\n${extra}conditions:\n${conditions.map((c) => `  - ${c}\n`).join("")}`,
      "gates.yaml",
    );

  it("reports observed value and threshold of each condition and fails when one fails", async () => {
    const runId = await runWith({ accuracy: 0.93, log_loss: 0.4 });
    const { result, record } = await evaluateGate(
      meta.db,
      policy(["accuracy >= 0.9", "log_loss < 0.3"]),
      { runId },
      now(),
    );
    expect(record).toBeUndefined();
    expect(result.passed).toBe(false);
    expect(result.conditions).toEqual([
      {
        condition: "accuracy >= 0.9",
        line: 3,
        passed: true,
        observed: 0.93,
        threshold: 0.9,
        message: "accuracy = 0.93 >= 0.9",
      },
      {
        condition: "log_loss < 0.3",
        line: 4,
        passed: false,
        observed: 0.4,
        threshold: 0.3,
        message: "log_loss = 0.4, expected < 0.3",
      },
    ]);
  });

  it("fails a condition whose metric the run did not log, naming the metric and the run", async () => {
    const runId = await runWith({ accuracy: 0.99 });
    const { result } = await evaluateGate(
      meta.db,
      policy(["f1_macro >= 0.8", "expectations: all pass"]),
      { runId },
      now(),
    );
    expect(result.passed).toBe(false);
    expect(result.conditions.map((c) => [c.passed, c.observed, c.message])).toEqual([
      [false, null, `metric f1_macro not logged on run ${runId}`],
      [
        false,
        null,
        `metric validation_unsuccessful_expectations not logged on run ${runId} (run \`flowops validate\` for it first)`,
      ],
    ]);
  });

  it("passes expectations only when no expectation failed", async () => {
    const good = await runWith({ validation_unsuccessful_expectations: 0 });
    const bad = await runWith({ validation_unsuccessful_expectations: 2 });
    const gate = policy(["expectations: all pass"]);
    expect((await evaluateGate(meta.db, gate, { runId: good }, now())).result.passed).toBe(true);
    const failed = (await evaluateGate(meta.db, gate, { runId: bad }, now())).result.conditions[0];
    expect(failed).toMatchObject({ passed: false, observed: 2, threshold: 0 });
    expect(failed?.message).toMatch(/^2 expectation\(s\) failed/);
  });

  it("passes champion conditions with a note when the champion alias is unset", async () => {
    const runId = await runWith({ f1_macro: 0.5 });
    const version = await versionOf(runId);
    const { result } = await evaluateGate(
      meta.db,
      policy(["f1_macro >= champion.f1_macro - 0.01"]),
      { runId, modelName: "churn", version },
      now(),
    );
    expect(result.passed).toBe(true);
    expect(result.champion).toBeNull();
    expect(result.notes).toEqual([
      "no champion: first version (alias 'production' of model churn is not set)",
    ]);
    expect(result.conditions[0]).toMatchObject({ passed: true, observed: 0.5, threshold: null });
  });

  it("compares against the champion's run with the offset applied", async () => {
    const championRun = await runWith({ f1_macro: 0.9 });
    const championVersion = await versionOf(championRun);
    await setRegisteredModelAlias(meta.db, "churn", "production", championVersion);
    const gate = policy(["f1_macro >= champion.f1_macro - 0.01"]);

    const close = await runWith({ f1_macro: 0.89 });
    const passing = await evaluateGate(
      meta.db,
      gate,
      { runId: close, modelName: "churn", version: await versionOf(close) },
      now(),
    );
    expect(passing.result.passed).toBe(true);
    expect(passing.result.conditions[0]).toMatchObject({ observed: 0.89, threshold: 0.89 });
    expect(passing.result.champion).toEqual({
      alias: "production",
      model_name: "churn",
      version: championVersion,
      run_id: championRun,
    });

    const worse = await runWith({ f1_macro: 0.8899 });
    const failing = await evaluateGate(
      meta.db,
      gate,
      { runId: worse, modelName: "churn", version: await versionOf(worse) },
      now(),
    );
    expect(failing.result.passed).toBe(false);
    expect(failing.result.conditions[0]?.message).toBe("f1_macro = 0.8899, expected >= 0.89");
  });

  it("uses the policy's champion alias and fails when the champion's run lacks the metric", async () => {
    const championRun = await runWith({ accuracy: 0.7 });
    await setRegisteredModelAlias(meta.db, "churn", "best", await versionOf(championRun));
    const runId = await runWith({ f1_macro: 0.9 });
    const { result } = await evaluateGate(
      meta.db,
      policy(["f1_macro > champion.f1_macro"], "champion: best\n"),
      { runId, modelName: "churn", version: await versionOf(runId) },
      now(),
    );
    expect(result.passed).toBe(false);
    expect(result.conditions[0]?.message).toMatch(
      new RegExp(`^metric f1_macro not logged on champion run ${championRun} \\(churn/1, alias 'best'\\)`),
    );
  });

  it("passes champion conditions with a note when the gated version is the champion", async () => {
    const runId = await runWith({ f1_macro: 0.9 });
    const version = await versionOf(runId);
    await setRegisteredModelAlias(meta.db, "churn", "production", version);
    const { result } = await evaluateGate(
      meta.db,
      policy(["f1_macro > champion.f1_macro"]),
      { runId, modelName: "churn", version },
      now(),
    );
    expect(result.passed).toBe(true);
    expect(result.notes[0]).toMatch(/is this version, churn\/1/);
  });

  it("takes the champion's metrics from the run the champion version was registered from", async () => {
    const championRun = await runWith({ f1_macro: 0.8 });
    const championVersion = await versionOf(championRun);
    await evaluateGate(
      meta.db,
      policy(["f1_macro > 0.5"]),
      { modelName: "churn", version: championVersion },
      now(),
    );
    await setRegisteredModelAlias(meta.db, "churn", "production", championVersion);
    const runId = await runWith({ f1_macro: 0.85 });
    const { result } = await evaluateGate(
      meta.db,
      policy(["f1_macro > champion.f1_macro"]),
      { runId, modelName: "churn", version: await versionOf(runId) },
      now(),
    );
    expect(result.champion?.run_id).toBe(championRun);
    expect(result.conditions[0]).toMatchObject({ passed: true, threshold: 0.8 });
  });

  it("refuses to record a gate that judges another run than the version's, naming both runs", async () => {
    const good = await runWith({ accuracy: 0.95 });
    const bad = await runWith({ accuracy: 0.5 });
    const version = await versionOf(bad);
    await expect(
      evaluateGate(meta.db, policy(["accuracy >= 0.9"]), { runId: good, modelName: "churn", version }, now()),
    ).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining(
        `Run ${good} is not the run of model version churn/${version}, which was registered from run ${bad}`,
      ),
    });
    expect(await listGateRecords(meta.db, { modelName: "churn" })).toEqual([]);
  });

  it("judges the version's own run when only the model version is given", async () => {
    const bad = await runWith({ accuracy: 0.5 });
    const version = await versionOf(bad);
    const { result, record } = await evaluateGate(
      meta.db,
      policy(["accuracy >= 0.9"]),
      { modelName: "churn", version },
      now(),
    );
    expect(result).toMatchObject({ run_id: bad, passed: false });
    expect(record).toMatchObject({ run_id: bad, passed: false });
  });

  it("refuses to gate a version registered without a run", async () => {
    // A host-less mlflow-artifacts source needs its run; one under a local artifact root needs none.
    await createModelVersion(meta.db, { name: "churn", source: "/srv/artifacts/loose/model" }, ROOTS, now());
    await expect(
      evaluateGate(meta.db, policy(["accuracy >= 0.9"]), { modelName: "churn", version: 1 }, now()),
    ).rejects.toThrow(/churn\/1 was registered without a run, so no quality gate can judge it/);
  });

  it("records the outcome for a model version and sets its gate tags; the newest record wins", async () => {
    const runId = await runWith({ accuracy: 0.95 });
    const version = await versionOf(runId);
    const passedAt = now();
    const first = await evaluateGate(
      meta.db,
      policy(["accuracy >= 0.9"]),
      { runId, modelName: "churn", version },
      passedAt,
    );
    expect(first.record).toMatchObject({
      model_name: "churn",
      version,
      run_id: runId,
      policy_name: "prod-gate",
      passed: true,
      created_at: passedAt,
    });
    expect(first.record?.policy_digest).toMatch(/^[0-9a-f]{64}$/);
    const tags = Object.fromEntries(
      (await getModelVersion(meta.db, "churn", version)).tags.map((t) => [t.key, t.value]),
    );
    expect(tags).toEqual({
      "flowops.gate.status": "passed",
      "flowops.gate.policy": "prod-gate",
      "flowops.gate.run_id": runId,
      "flowops.gate.at": new Date(passedAt).toISOString(),
    });

    // Same millisecond on purpose: order comes from the record id, not the clock.
    await evaluateGate(
      meta.db,
      policy(["accuracy >= 0.99"]),
      { runId, modelName: "churn", version },
      passedAt,
    );
    expect((await latestGateRecord(meta.db, "churn", version))?.passed).toBe(false);
    const after = (await getModelVersion(meta.db, "churn", version)).tags.find(
      (t) => t.key === "flowops.gate.status",
    );
    expect(after?.value).toBe("failed");
    const records = await listGateRecords(meta.db, { modelName: "churn" });
    expect(records.map((r) => r.passed)).toEqual([false, true]);
    expect(records[0]?.result.conditions[0]?.condition).toBe("accuracy >= 0.99");
  });

  it("refuses an unknown run, an unknown version and a version without a model name", async () => {
    const gate = policy(["accuracy >= 0.9"]);
    await expect(evaluateGate(meta.db, gate, { runId: "f".repeat(32) }, now())).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
    const runId = await runWith({ accuracy: 1 });
    await expect(
      evaluateGate(meta.db, gate, { runId, modelName: "churn", version: 7 }, now()),
    ).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
    });
    await expect(evaluateGate(meta.db, gate, { runId, version: 1 }, now())).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });
});
