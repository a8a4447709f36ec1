import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import { AssessmentStore, type NewAssessment } from "./assessments.js";
import { searchTraces } from "./search.js";
import { TraceStore } from "./store.js";

// The expected ids are what mlflow 3.17.2's server answered for the same traces and assessments.
describe.each(metadataBackends())("trace search by assessments on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let assessments: AssessmentStore;
  let experimentId: string;
  let otherExperimentId: string;

  const log = (traceId: string, name: string, valueJson: string, extra: Partial<NewAssessment> = {}) =>
    assessments.create({
      assessmentId: undefined,
      traceId,
      name,
      kind: "feedback",
      valueJson,
      error: undefined,
      sourceType: "HUMAN",
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

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    const traces = new TraceStore(meta);
    assessments = new AssessmentStore(meta);
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    otherExperimentId = await createExperiment(meta.db, { name: "other" }, "mlflow-artifacts:/", 1);
    const sessions: Record<string, string | undefined> = { s1a: "s1", s1b: "s1", s2a: "s2" };
    for (const [i, id] of ["t1", "t2", "t3", "t4", "s1a", "s1b", "s2a", "o1"].entries()) {
      const session = id === "o1" ? "s1" : sessions[id];
      await traces.start({
        traceId: id,
        experimentId: id === "o1" ? otherExperimentId : experimentId,
        requestTime: i,
        state: "OK",
        metadata: session === undefined ? {} : { "mlflow.trace.session": session },
        tags: {},
      });
    }
    await log("t1", "relevance", '"yes"');
    await log("t1", "score", "3");
    await log("t1", "correct", "true");
    await log("t1", "answer", '"x"', { kind: "expectation" });
    await log("t2", "relevance", '"no"');
    await log("t2", "score", "4.5");
    await log("t2", "correct", "false");
    await log("t2", "strscore", '"3"');
    await log("t2", "answer", '{"a": 1, "b": [1, 2]}', { kind: "expectation" });
    const original = await log("t3", "relevance", '"yes"');
    await log("t3", "relevance", '"no"', { overrides: original.assessmentId });
    await log("t3", "score", "-1");
    await log("t3", "score", "10");
    await log("t3", "unicode", '"é"');
    await log("s1a", "relevance", '"maybe"');
    await log("s2a", "session_quality", '"bad"', { metadata: { "mlflow.trace.session": "s2" } });
    await log("o1", "session_quality", '"good"', { metadata: { "mlflow.trace.session": "s1" } });
    await log("t4", "err", "null");
  });
  afterEach(async () => {
    await opened.close();
  });

  it("compares string, number and boolean values as mlflow's stored JSON text, skipping overridden ones", async () => {
    expect(await search("feedback.relevance = 'yes'")).toEqual(["t1"]);
    expect(await search("feedback.relevance = '\"yes\"'")).toEqual(["t1"]);
    expect(await search("feedback.relevance != 'yes'")).toEqual(["s1a", "t2", "t3"]);
    expect(await search("feedback.relevance = 'no'")).toEqual(["t2", "t3"]);
    expect(await search("feedback.score = '3'")).toEqual([]);
    expect(await search("feedback.score = '3.0'")).toEqual(["t1"]);
    expect(await search("feedback.strscore = '3'")).toEqual(["t2"]);
    expect(await search("feedback.correct = 'true'")).toEqual(["t1"]);
    expect(await search("feedback.correct = 'True'")).toEqual([]);
    expect(await search("feedback.correct != 'true'")).toEqual(["t2"]);
    expect(await search("feedback.unicode = 'é'")).toEqual(["t3"]);
    expect(await search("feedback.err = 'null'")).toEqual(["t4"]);
    expect(await search("expectation.answer = 'x'")).toEqual(["t1"]);
    expect(await search(`expectation.answer = '{"a": 1, "b": [1, 2]}'`)).toEqual(["t2"]);
    expect(await search("feedback.answer = 'x'")).toEqual([]);
    expect(await search("feedback.relevance LIKE '%e%'")).toEqual(["s1a", "t1"]);
    expect(await search("feedback.relevance ILIKE '%YES%'")).toEqual(["t1"]);
    expect(await search("feedback.relevance = 'yes' AND feedback.score > 2")).toEqual(["t1"]);
  });

  // mlflow 3.17.2 matches RLIKE (Python re.search) against the stored JSON text, quotes included.
  it("matches RLIKE as a regular-expression search on assessments, metadata and attributes", async () => {
    expect(await search(`feedback.relevance RLIKE '^"y'`)).toEqual(["t1"]);
    expect(await search("feedback.relevance RLIKE 'ye|no'")).toEqual(["t1", "t2", "t3"]);
    expect(await search("metadata.`mlflow.trace.session` RLIKE '^s[12]$'")).toEqual(["s1a", "s1b", "s2a"]);
    expect(await search("request_id RLIKE '^t[12]'")).toEqual(["t1", "t2"]);
  });

  it("compares numbers only with <, <=, > and >=, never booleans or numeric strings", async () => {
    expect(await search("feedback.score > 3")).toEqual(["t2", "t3"]);
    expect(await search("feedback.score >= 3")).toEqual(["t1", "t2", "t3"]);
    expect(await search("feedback.score < 4")).toEqual(["t1", "t3"]);
    expect(await search("feedback.score <= -1")).toEqual(["t3"]);
    expect(await search("feedback.score > 9.99")).toEqual(["t3"]);
    expect(await search("feedback.strscore > 2")).toEqual([]);
    expect(await search("feedback.correct > 0")).toEqual([]);
  });

  it("asks for presence, and covers a session's traces with a session assessment in the searched experiments", async () => {
    expect(await search("feedback.relevance IS NOT NULL")).toEqual(["s1a", "t1", "t2", "t3"]);
    expect(await search("feedback.relevance IS NULL")).toEqual(["s1b", "s2a", "t4"]);
    expect(await search("feedback.session_quality = 'bad'")).toEqual(["s2a"]);
    // o1's session assessment is in another experiment, so it covers s1's traces only when that is searched.
    expect(await search("feedback.session_quality = 'good'")).toEqual([]);
    expect(await search("feedback.session_quality = 'good'", [experimentId, otherExperimentId])).toEqual([
      "o1",
      "s1a",
      "s1b",
    ]);
    expect(await search("feedback.session_quality IS NULL")).toEqual(["s1a", "s1b", "t1", "t2", "t3", "t4"]);
  });
});
