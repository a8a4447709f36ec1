import { describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { eachTestWithExperiment } from "../../../test/support/experimentSuites.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment, deleteExperiment } from "../experimentStore.js";
import { createRun } from "../runStore.js";
import { withAssessments } from "../traces/assessments.js";
import { searchIssues } from "./search.js";
import { IssueStore } from "./store.js";

// Expected behaviour and messages are what `mlflow server` 3.17.2 (SQLite store) answered.
describe.each(metadataBackends())("issue store on $name", (backend: TestBackend) => {
  let meta: MetadataDb;
  let store: IssueStore;
  let experimentId: string;

  eachTestWithExperiment(backend, (world) => {
    ({ meta, experimentId } = world);
    store = new IssueStore(meta, world.now);
  });

  const create = (name: string, extra: Partial<Parameters<IssueStore["create"]>[0]> = {}) =>
    store.create({ experimentId, name, description: `${name} description`, ...extra });

  /** A trace holding one `issue` assessment per id given, as mlflow.log_issue leaves it. */
  async function traceWithIssues(traceId: string, ...issueIds: string[]): Promise<void> {
    await meta.db
      .insertInto("trace_info")
      .values({ request_id: traceId, experiment_id: Number(experimentId), timestamp_ms: 1, status: "OK" })
      .execute();
    for (const [index, issueId] of issueIds.entries()) {
      await withAssessments(meta.db)
        .insertInto("assessments")
        .values({
          assessment_id: `a-${traceId}-${index}`,
          trace_id: traceId,
          name: issueId,
          assessment_type: "issue",
          value: JSON.stringify({ issue_name: "n" }),
          error: null,
          created_timestamp: 1,
          last_updated_timestamp: 1,
          source_type: "LLM_JUDGE",
          source_id: null,
          span_id: null,
          rationale: null,
          overrides: null,
          valid: 1,
          assessment_metadata: null,
        })
        .execute();
    }
  }

  it("creates a pending issue with an iss- id and reads it back", async () => {
    const issue = await create("slow");
    expect(issue.issueId).toMatch(/^iss-[0-9a-f]{32}$/);
    expect(issue).toEqual({
      issueId: issue.issueId,
      experimentId,
      name: "slow",
      description: "slow description",
      status: "pending",
      severity: undefined,
      rootCauses: undefined,
      sourceRunId: undefined,
      createdTimestamp: 1000,
      lastUpdatedTimestamp: 1000,
      createdBy: undefined,
      categories: undefined,
    });
    expect(await store.get(issue.issueId)).toEqual(issue);
  });

  it("keeps every optional field, and reads empty lists and texts as unset", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId }, 5);
    const full = await create("full", {
      status: "resolved",
      severity: "high",
      rootCauses: ["a", "ü"],
      categories: ["c"],
      sourceRunId: run.info.run_id,
      createdBy: "bob",
    });
    expect(await store.get(full.issueId)).toMatchObject({
      status: "resolved",
      severity: "high",
      rootCauses: ["a", "ü"],
      categories: ["c"],
      sourceRunId: run.info.run_id,
      createdBy: "bob",
    });
    const empty = await create("empty", { rootCauses: [], categories: [], sourceRunId: "", createdBy: "" });
    expect(await store.get(empty.issueId)).toMatchObject({
      rootCauses: undefined,
      categories: undefined,
      sourceRunId: undefined,
      createdBy: undefined,
    });
  });

  it("refuses unknown, deleted and malformed experiments and unknown source runs as mlflow does", async () => {
    const missing = await rejection(store.create({ experimentId: "0999", name: "n", description: "d" }));
    expect([missing.code, missing.message]).toEqual([
      "RESOURCE_DOES_NOT_EXIST",
      "No Experiment with id=999 exists",
    ]);
    await deleteExperiment(meta.db, experimentId, 2);
    expect((await rejection(create("n"))).message).toBe(`No Experiment with id=${experimentId} exists`);
    expect(
      (await rejection(store.create({ experimentId: "abc", name: "n", description: "d" }))).message,
    ).toBe("Invalid experiment ID 'abc'. Experiment ID must be a valid integer.");
    const other = await createExperiment(meta.db, { name: "other" }, "mlflow-artifacts:/", 1);
    const badRun = await rejection(
      store.create({ experimentId: other, name: "n", description: "d", sourceRunId: "nope" }),
    );
    expect(badRun.code).toBe("BAD_REQUEST");
  });

  it("updates only the given fields and always stamps the update time", async () => {
    const issue = await create("slow", { severity: "low", rootCauses: ["r"] });
    const touched = await store.update(issue.issueId, {});
    expect(touched).toEqual({ ...issue, lastUpdatedTimestamp: 1001 });
    const changed = await store.update(issue.issueId, {
      name: "slower",
      description: "new",
      status: "rejected",
      severity: "medium",
    });
    expect(changed).toEqual({
      ...issue,
      name: "slower",
      description: "new",
      status: "rejected",
      severity: "medium",
      lastUpdatedTimestamp: 1002,
    });
    expect(await store.get(issue.issueId)).toEqual(changed);
  });

  it("answers mlflow's not-found for a missing issue", async () => {
    for (const failure of [store.get("iss-nope"), store.update("iss-nope", { name: "x" })]) {
      const error = await rejection(failure);
      expect([error.code, error.message]).toEqual([
        "RESOURCE_DOES_NOT_EXIST",
        "Issue with ID 'iss-nope' not found",
      ]);
    }
  });

  it("orders by severity, then newest, and pages with mlflow's offset tokens", async () => {
    for (const [name, severity] of [
      ["a", "low"],
      ["b", "high"],
      ["c", undefined],
      ["d", "medium"],
      ["e", "not_an_issue"],
      ["f", "high"],
    ] as const) {
      await create(name, { severity });
    }
    const all = await searchIssues(meta, { experimentId });
    expect(all.issues.map((i) => i.name)).toEqual(["f", "b", "d", "a", "e", "c"]);
    expect(all.nextPageToken).toBeUndefined();
    expect(all.issues[0]?.traceCount).toBeUndefined();

    const first = await searchIssues(meta, { experimentId, maxResults: 2 });
    expect(first.issues.map((i) => i.name)).toEqual(["f", "b"]);
    expect(first.nextPageToken).toBe("eyJvZmZzZXQiOiAyfQ==");
    const rest = await searchIssues(meta, { experimentId, maxResults: 4, pageToken: first.nextPageToken });
    expect(rest.issues.map((i) => i.name)).toEqual(["d", "a", "e", "c"]);
    expect(rest.nextPageToken).toBeUndefined();
  });

  it("filters on status and source_run_id, and by experiment", async () => {
    const run = await createRun(meta.db, { experiment_id: experimentId }, 5);
    await create("found", { sourceRunId: run.info.run_id });
    await create("done", { status: "resolved" });
    const other = await createExperiment(meta.db, { name: "other" }, "mlflow-artifacts:/", 1);
    await store.create({ experimentId: other, name: "elsewhere", description: "d" });
    const names = async (filter?: string, experiment: string | undefined = experimentId) =>
      (await searchIssues(meta, { experimentId: experiment, filter })).issues.map((i) => i.name);

    expect(await names("status = 'resolved'")).toEqual(["done"]);
    expect(await names("status != 'resolved'")).toEqual(["found"]);
    expect(await names(`source_run_id = '${run.info.run_id}'`)).toEqual(["found"]);
    // SQL's != leaves out issues without a source run, as in mlflow.
    expect(await names("source_run_id != 'x'")).toEqual(["found"]);
    expect(await names('status = pending AND source_run_id = "x"')).toEqual([]);
    expect(await names(undefined, "")).toEqual(["elsewhere", "done", "found"]);
    expect(await names(undefined, "424242")).toEqual([]);
  });

  it("counts distinct traces per issue on request and ranks by the count after severity", async () => {
    const few = await create("few");
    const many = await create("many");
    await create("none");
    await traceWithIssues("tr-1", few.issueId, many.issueId);
    await traceWithIssues("tr-2", many.issueId, many.issueId);
    const counted = await searchIssues(meta, { experimentId, includeTraceCount: true });
    expect(counted.issues.map((i) => [i.name, i.traceCount])).toEqual([
      ["many", 2],
      ["few", 1],
      ["none", 0],
    ]);
    const plain = await searchIssues(meta, { experimentId });
    expect(plain.issues.map((i) => [i.name, i.traceCount])).toEqual([
      ["none", undefined],
      ["many", undefined],
      ["few", undefined],
    ]);
  });

  it("refuses bad max_results, experiment ids and filters with mlflow's messages", async () => {
    const message = async (request: Parameters<typeof searchIssues>[1]) =>
      (await rejection(searchIssues(meta, request))).message;
    expect(await message({ maxResults: 0 })).toBe(
      "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    );
    expect(await message({ maxResults: 50001 })).toBe(
      "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
    );
    expect(await message({ experimentId: "abc" })).toBe(
      "Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    );
    expect(await message({ filter: "severity = 'high'" })).toBe(
      "Invalid filter field 'severity'. Supported fields: {'source_run_id', 'status'}",
    );
  });
});
