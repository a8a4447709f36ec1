import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import { toAssessmentWire } from "./assessmentEntities.js";
import { AssessmentStore, type NewAssessment } from "./assessments.js";
import { searchTraces } from "./search.js";
import { TraceStore } from "./store.js";

describe.each(metadataBackends())("assessment store on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let traces: TraceStore;
  let store: AssessmentStore;
  let experimentId: string;
  let clock: number;

  const feedback = (extra: Partial<NewAssessment> = {}): NewAssessment => ({
    assessmentId: undefined,
    traceId: "tr-1",
    name: "correct",
    kind: "feedback",
    valueJson: "true",
    error: undefined,
    sourceType: "HUMAN",
    sourceId: "bob@example.com",
    createTime: 1000,
    lastUpdateTime: 1000,
    spanId: undefined,
    rationale: "looks right",
    metadata: { k: "v" },
    overrides: undefined,
    ...extra,
  });

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    clock = 5000;
    traces = new TraceStore(meta);
    store = new AssessmentStore(meta, () => clock);
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    for (const [id, time] of [
      ["tr-1", 10],
      ["tr-2", 20],
    ] as const) {
      await traces.start({
        traceId: id,
        experimentId,
        requestTime: time,
        state: "OK",
        metadata: {},
        tags: {},
      });
    }
  });
  afterEach(async () => {
    await opened.close();
  });

  it("creates feedback and expectations and shows them on the trace in creation order", async () => {
    const fb = await store.create(feedback());
    expect(fb.assessmentId).toMatch(/^a-[0-9a-f]{32}$/);
    const ex = await store.create(
      feedback({
        name: "expected",
        kind: "expectation",
        valueJson: '{"answer": [1, 2]}',
        rationale: "dropped",
        createTime: undefined,
        lastUpdateTime: undefined,
      }),
    );
    expect(toAssessmentWire(fb)).toEqual({
      assessment_id: fb.assessmentId,
      assessment_name: "correct",
      trace_id: "tr-1",
      source: { source_type: "HUMAN", source_id: "bob@example.com" },
      create_time: "1970-01-01T00:00:01Z",
      last_update_time: "1970-01-01T00:00:01Z",
      feedback: { value: true },
      rationale: "looks right",
      metadata: { k: "v" },
      valid: true,
    });
    expect(toAssessmentWire(ex)).toMatchObject({
      create_time: "1970-01-01T00:00:05Z",
      expectation: { serialized_value: { serialization_format: "JSON_FORMAT", value: '{"answer": [1, 2]}' } },
    });
    expect(ex.rationale).toBeUndefined();
    const info = await traces.get("tr-1");
    expect(info.assessments.map((a) => a.name)).toEqual(["correct", "expected"]);
    expect((await traces.get("tr-2")).assessments).toEqual([]);
    const page = await searchTraces(meta, { experimentIds: [experimentId] });
    expect(page.traces.map((t) => [t.traceId, t.assessments.length])).toEqual([
      ["tr-2", 0],
      ["tr-1", 2],
    ]);
  });

  it("keeps a feedback error and writes a scalar expectation as a plain value", async () => {
    const judged = await store.create(
      feedback({
        valueJson: "null",
        error: { errorCode: "RATE_LIMIT", errorMessage: "slow", stackTrace: undefined },
      }),
    );
    expect(toAssessmentWire(judged).feedback).toEqual({
      value: null,
      error: { error_code: "RATE_LIMIT", error_message: "slow" },
    });
    const scalar = await store.create(feedback({ kind: "expectation", valueJson: '"six"' }));
    expect(toAssessmentWire(scalar).expectation).toEqual({ value: "six" });
  });

  it("updates name, value, rationale and merged metadata, keeping source and creation time", async () => {
    const fb = await store.create(
      feedback({ error: { errorCode: "E", errorMessage: undefined, stackTrace: undefined } }),
    );
    clock = 9000;
    const updated = await store.update("tr-1", fb.assessmentId, {
      name: "correct2",
      feedback: { valueJson: "0.5", error: undefined },
      rationale: "new",
      metadata: { j: "w" },
    });
    expect(updated).toMatchObject({
      name: "correct2",
      valueJson: "0.5",
      error: undefined,
      rationale: "new",
      metadata: { k: "v", j: "w" },
      sourceId: "bob@example.com",
      createTime: 1000,
      lastUpdateTime: 9000,
      valid: true,
    });
    expect(
      (await rejection(store.update("tr-1", fb.assessmentId, { expectation: { valueJson: "1" } }))).message,
    ).toBe("Cannot update expectation value on a Feedback assessment.");
    const ex = await store.create(feedback({ kind: "expectation", valueJson: "1" }));
    const fbOnEx = await rejection(
      store.update("tr-1", ex.assessmentId, { feedback: { valueJson: "1", error: undefined } }),
    );
    expect(fbOnEx.code).toBe("INVALID_PARAMETER_VALUE");
    expect(fbOnEx.message).toBe("Cannot update feedback value on an Expectation assessment.");
  });

  it("an override invalidates the original until the override is deleted", async () => {
    const original = await store.create(feedback());
    const override = await store.create(feedback({ valueJson: "false", overrides: original.assessmentId }));
    expect(override).toMatchObject({ overrides: original.assessmentId, valid: true });
    expect((await store.get("tr-1", original.assessmentId)).valid).toBe(false);
    expect(toAssessmentWire(await store.get("tr-1", original.assessmentId)).valid).toBe(false);
    await store.delete("tr-1", override.assessmentId);
    expect((await store.get("tr-1", original.assessmentId)).valid).toBe(true);
    // Deleting again, or on a trace that does not exist, succeeds as mlflow's delete does.
    await store.delete("tr-1", override.assessmentId);
    await store.delete("tr-x", "a-x");
    const missing = await rejection(store.create(feedback({ overrides: "a-missing" })));
    expect(missing.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(missing.message).toBe("Assessment with ID 'a-missing' not found for trace 'tr-1'");
    expect((await traces.get("tr-1")).assessments).toHaveLength(1);
  });

  it("names a missing trace or assessment as mlflow does", async () => {
    expect((await rejection(store.get("tr-1", "a-missing"))).message).toBe(
      "Assessment with ID 'a-missing' not found for trace 'tr-1'",
    );
    expect((await rejection(store.get("tr-x", "a-missing"))).message).toBe(
      "Trace with request_id 'tr-x' not found",
    );
    const noTrace = await rejection(store.create(feedback({ traceId: "tr-x" })));
    expect([noTrace.code, noTrace.message]).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "Trace with ID 'tr-x' not found.",
    ]);
    const fb = await store.create(feedback({ assessmentId: "a-fixed" }));
    expect(fb.assessmentId).toBe("a-fixed");
    expect((await rejection(store.create(feedback({ assessmentId: "a-fixed" })))).code).toBe(
      "RESOURCE_ALREADY_EXISTS",
    );
  });

  it("deleting a trace deletes its assessments", async () => {
    const fb = await store.create(feedback());
    await store.create(feedback({ traceId: "tr-2" }));
    expect(await traces.delete({ experimentId, traceIds: ["tr-1"] })).toBe(1);
    expect((await rejection(store.get("tr-1", fb.assessmentId))).message).toBe(
      "Trace with request_id 'tr-1' not found",
    );
    expect((await traces.get("tr-2")).assessments).toHaveLength(1);
    const left = await meta.db
      .withTables<{ assessments: { trace_id: string } }>()
      .selectFrom("assessments")
      .select("trace_id")
      .execute();
    expect(left.map((r) => r.trace_id)).toEqual(["tr-2"]);
  });
});
