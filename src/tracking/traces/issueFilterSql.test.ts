import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import { AssessmentStore, type NewAssessment } from "./assessments.js";
import { calculateTraceFilterCorrelation } from "./filterCorrelation.js";
import { searchTraces } from "./search.js";
import { TraceStore } from "./store.js";

// The expected ids and messages are what mlflow 3.17.2's SqlAlchemyStore.search_traces answered.
describe.each(metadataBackends())("trace search by issue on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let assessments: AssessmentStore;
  let experimentId: string;
  let otherExperimentId: string;

  const link = (traceId: string, issueId: string, extra: Partial<NewAssessment> = {}) =>
    assessments.create({
      assessmentId: undefined,
      traceId,
      name: issueId,
      kind: "issue",
      valueJson: JSON.stringify({ issue_name: "slow" }),
      error: undefined,
      sourceType: "LLM_JUDGE",
      sourceId: undefined,
      createTime: undefined,
      lastUpdateTime: undefined,
      spanId: undefined,
      rationale: undefined,
      metadata: {},
      overrides: undefined,
      ...extra,
    });
  const search = async (filter: string, experimentIds = [experimentId]) =>
    (await searchTraces(meta, { experimentIds, filter })).traces.map((t) => t.traceId).sort();
  const rejection = async (filter: string) =>
    searchTraces(meta, { experimentIds: [experimentId], filter }).then(
      () => {
        throw new Error("expected a refusal");
      },
      (error: Error) => error.message,
    );

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    const traces = new TraceStore(meta);
    assessments = new AssessmentStore(meta);
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    otherExperimentId = await createExperiment(meta.db, { name: "other" }, "mlflow-artifacts:/", 1);
    for (const [i, id] of ["t1", "t2", "t3", "t4", "o1"].entries()) {
      await traces.start({
        traceId: id,
        experimentId: id === "o1" ? otherExperimentId : experimentId,
        requestTime: i,
        state: "OK",
        metadata: {},
        tags: { "mlflow.traceName": id === "t1" ? "first" : "other" },
      });
    }
    await link("t1", "iss-a");
    await link("t1", "iss-a");
    await link("t2", "iss-a");
    await link("t2", "iss-b");
    // An overridden reference still links its trace: mlflow joins every issue assessment, valid or not.
    const replaced = await link("t3", "iss-c");
    await link("t3", "iss-d", { overrides: replaced.assessmentId });
    await link("o1", "iss-a");
    // A feedback named like an issue is no issue reference.
    await link("t4", "iss-a", { kind: "feedback", valueJson: '"x"' });
  });
  afterEach(async () => {
    await opened.close();
  });

  it("finds the traces holding a reference to the issue, once each, within the searched experiments", async () => {
    expect(await search("issue.id = 'iss-a'")).toEqual(["t1", "t2"]);
    expect(await search('issue.`id` = "iss-b"')).toEqual(["t2"]);
    expect(await search("issue.id = 'iss-a' AND issue.id = 'iss-b'")).toEqual(["t2"]);
    expect(await search("issue.id = 'iss-c'")).toEqual(["t3"]);
    expect(await search("issue.id = 'ISS-A'")).toEqual([]);
    expect(await search("issue.id = 'iss-nope'")).toEqual([]);
    expect(await search("issue.id = 'iss-a' AND name = 'first'")).toEqual(["t1"]);
    expect(await search("issue.id = 'iss-a'", [experimentId, otherExperimentId])).toEqual(["o1", "t1", "t2"]);
    expect(await search("issue.name = 'first'")).toEqual(["t1"]);
  });

  it("refuses other attributes and comparators with mlflow's messages, the key first", async () => {
    expect(await rejection("issue.foo = 'x'")).toBe(
      "Invalid issue attribute 'foo'. Supported attributes: id",
    );
    expect(await rejection("issue.ID = 'x'")).toBe("Invalid issue attribute 'ID'. Supported attributes: id");
    expect(await rejection("issue.foo IS NULL")).toBe(
      "Invalid issue attribute 'foo'. Supported attributes: id",
    );
    expect(await rejection("issue.timestamp = 'x'")).toBe(
      "Invalid issue attribute 'timestamp_ms'. Supported attributes: id",
    );
    expect(await rejection("issue.TIMESTAMP_MS = 'x'")).toBe(
      "Invalid issue attribute 'TIMESTAMP_MS'. Supported attributes: id",
    );
    expect(await rejection("issue.id != 'x'")).toBe("issue.id comparator '!=' not one of '{'='}'");
    expect(await rejection("issue.id like 'x'")).toBe("issue.id comparator 'LIKE' not one of '{'='}'");
    expect(await rejection("issue.id IS NULL")).toBe("issue.id comparator 'IS NULL' not one of '{'='}'");
    // mlflow reads every clause's value before its store checks any clause's key.
    expect(await rejection("issue.foo = 'y' AND issue.id = 5")).toBe(
      "Expected a quoted string value for issue (e.g. 'my-value'). Got value 5",
    );
  });

  it("counts issue filters in filter correlation as the search does", async () => {
    const counts = await calculateTraceFilterCorrelation(meta, {
      experimentIds: [experimentId],
      filter1: "issue.id = 'iss-a'",
      filter2: "issue.id = 'iss-b'",
    });
    expect([counts.filter1Count, counts.filter2Count, counts.jointCount, counts.totalCount]).toEqual([
      2, 1, 1, 4,
    ]);
    await expect(
      calculateTraceFilterCorrelation(meta, {
        experimentIds: [experimentId],
        filter1: "issue.id != 'iss-a'",
        filter2: "name = 'x'",
      }),
    ).rejects.toThrow("issue.id comparator '!=' not one of '{'='}'");
  });
});
