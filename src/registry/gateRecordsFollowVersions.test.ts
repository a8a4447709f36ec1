import type { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MetadataDb } from "../db/connect.js";
import { up as dropStrayGateRecords } from "../db/migrations/0008_gate_records_follow_versions.js";
import { evaluateGate } from "../quality/gates/evaluateGate.js";
import { parseGatePolicy } from "../quality/gates/gatePolicy.js";
import { listGateRecords } from "../quality/gates/gateRecords.js";
import { createExperiment } from "../tracking/experimentStore.js";
import { logBatch } from "../tracking/runLogging.js";
import { createRun } from "../tracking/runStore.js";
import { metadataBackends } from "../../test/support/backends.js";
import { createModelVersion, deleteModelVersion } from "./modelVersionStore.js";
import { assertPromotionAllowed, promotionProtection } from "./promotionGuard.js";
import {
  createRegisteredModel,
  deleteRegisteredModel,
  renameRegisteredModel,
} from "./registeredModelStore.js";

const POLICY = parseGatePolicy("name: prod\nconditions:\n  - accuracy >= 0.9\n", "gates.yaml");
const PROTECTION = promotionProtection({});

describe.each(metadataBackends())("gate records follow their model version on $name", (backend) => {
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
  });
  afterEach(async () => close());

  /** A model `name` with one version from a run of the given accuracy, gated with POLICY. */
  async function gatedModel(name: string, accuracy: number): Promise<void> {
    const run = await createRun(meta.db, { experiment_id: experimentId }, now());
    const runId = run.info.run_id;
    await logBatch(meta.db, runId, {
      metrics: [{ key: "accuracy", value: accuracy, timestamp: 1, step: 0 }],
    });
    await createRegisteredModel(meta.db, { name }, now());
    await createModelVersion(meta.db, { name, source: `runs:/${runId}/model`, run_id: runId }, [], now());
    await evaluateGate(meta.db, POLICY, { modelName: name, version: 1 }, now());
  }

  const promote = (name: string) =>
    assertPromotionAllowed(meta.db, { name, version: 1, alias: "production" }, PROTECTION);

  it("does not let a model re-created under a deleted model's name inherit its gate pass", async () => {
    await gatedModel("rm1", 0.95);
    await deleteRegisteredModel(meta.db, "rm1");
    expect(await listGateRecords(meta.db, { modelName: "rm1" })).toEqual([]);
    await createRegisteredModel(meta.db, { name: "rm1" }, now());
    const run = await createRun(meta.db, { experiment_id: experimentId }, now());
    await createModelVersion(
      meta.db,
      { name: "rm1", source: `runs:/${run.info.run_id}/model`, run_id: run.info.run_id },
      [],
      now(),
    );
    await expect(promote("rm1")).rejects.toThrow(/rm1\/1 has no passing quality gate record/);
  });

  it("moves gate records with a renamed model and leaves none for a new model under the old name", async () => {
    await gatedModel("ren", 0.95);
    await renameRegisteredModel(meta.db, "ren", "ren2", now());
    await expect(promote("ren2")).resolves.toBeUndefined();
    expect((await listGateRecords(meta.db, { modelName: "ren2" })).map((r) => r.model_name)).toEqual([
      "ren2",
    ]);
    await gatedModel("ren", 0.5);
    await expect(promote("ren")).rejects.toThrow(/ren\/1 has no passing quality gate record \(the latest/);
  });

  it("deletes a model version's gate records with the version", async () => {
    await gatedModel("mv", 0.95);
    await deleteModelVersion(meta.db, "mv", 1, now());
    expect(await listGateRecords(meta.db, { modelName: "mv" })).toEqual([]);
  });

  it("migration 0008 drops records of deleted versions and records older than the live version", async () => {
    await gatedModel("kept", 0.95);
    await gatedModel("stale", 0.95);
    await gatedModel("gone", 0.95);
    // What registry changes left behind before records followed versions.
    await meta.db
      .updateTable("model_versions")
      .set({ creation_time: now() })
      .where("name", "=", "stale")
      .execute();
    await meta.db.deleteFrom("model_versions").where("name", "=", "gone").execute();
    await dropStrayGateRecords(meta.db as Kysely<unknown>, backend.name);
    const left = await meta.db.selectFrom("gate_records").select("model_name").execute();
    expect(left.map((r) => r.model_name)).toEqual(["kept"]);
  });
});
