import { describe, expect, it } from "vitest";
import { missingParameterAnswer, serverWithExperiment } from "../../../test/support/experimentSuites.js";
import { jsonCaller, type TestServer } from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";

// Expected answers are what `mlflow server` 3.17.2 (SQLite store) answered to the same requests, except where
// a test says FlowOps differs on purpose.
describe("issue routes", () => {
  let server: TestServer;
  let exp: string;
  const call = jsonCaller(() => server);
  const createIssue = (body: object) => call("POST", "/api/3.0/mlflow/issues", body);
  const search = (body: object) => call("POST", "/api/3.0/mlflow/issues/search", body);
  const missing = (field: string) => missingParameterAnswer(field).body;

  serverWithExperiment((started, experimentId) => {
    server = started;
    exp = experimentId;
  });

  it("creates an issue and answers the Issue message in proto field order", async () => {
    const created = await createIssue({
      experiment_id: exp,
      name: "n2",
      description: "d2",
      status: "resolved",
      severity: "high",
      root_causes: ["a", "b"],
      categories: ["c1"],
      created_by: "me",
    });
    expect(created.status).toBe(200);
    const issue = created.body.issue as Record<string, unknown>;
    expect(Object.keys(issue)).toEqual([
      "issue_id",
      "experiment_id",
      "name",
      "description",
      "status",
      "severity",
      "root_causes",
      "created_timestamp",
      "last_updated_timestamp",
      "created_by",
      "categories",
    ]);
    expect(issue).toMatchObject({ experiment_id: exp, status: "resolved", root_causes: ["a", "b"] });
    expect(issue.created_timestamp).toBe(issue.last_updated_timestamp);

    const plain = await createIssue({ experiment_id: exp, name: "n1", description: "d1", created_by: "" });
    expect(plain.body).toEqual({
      issue: {
        issue_id: expect.stringMatching(/^iss-[0-9a-f]{32}$/),
        experiment_id: exp,
        name: "n1",
        description: "d1",
        status: "pending",
        created_timestamp: expect.any(Number),
        last_updated_timestamp: expect.any(Number),
      },
    });
    const ajax = await call(
      "GET",
      `/ajax-api/3.0/mlflow/issues/${String((plain.body.issue as { issue_id: string }).issue_id)}`,
    );
    expect(ajax).toEqual({ status: 200, body: plain.body });
  });

  it("checks name, description and experiment_id in mlflow's order and words", async () => {
    expect((await createIssue({ experiment_id: exp, name: "n" })).body).toEqual(missing("description"));
    expect((await createIssue({ experiment_id: exp, description: "d", name: "" })).body).toEqual(
      missing("name"),
    );
    expect((await createIssue({ name: "n", description: "d" })).body).toEqual(missing("experiment_id"));
    expect((await createIssue({ experiment_id: 1, name: "n", description: "d" })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message:
        "Invalid value 1 for parameter 'experiment_id' supplied:  Hint: Value was of type 'int'. See the API docs for more information about request parameters.",
    });
    const absent = await createIssue({ experiment_id: "999", name: "n", description: "d" });
    expect(absent).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "No Experiment with id=999 exists",
      },
    });
    // mlflow names the id as int() read it.
    expect(await createIssue({ experiment_id: " 007", name: "n", description: "d" })).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "No Experiment with id=7 exists",
      },
    });
    // FlowOps differs on purpose: mlflow answers a 500 ("Python int too large to convert to SQLite INTEGER")
    // where an id is past SQLite's integers; no experiment can have it, so it is a 404 here.
    expect(await createIssue({ experiment_id: "99999999999999999999", name: "n", description: "d" })).toEqual(
      {
        status: 404,
        body: {
          error_code: "RESOURCE_DOES_NOT_EXIST",
          sqlstate: "KAM00",
          error_class: "RESOURCE_NOT_FOUND",
          message: "No Experiment with id=99999999999999999999 exists",
        },
      },
    );
    // Fields protobuf cannot read are skipped, as mlflow's parser skips them.
    const skipped = await createIssue({
      experiment_id: exp,
      name: "n",
      description: "d",
      root_causes: "a",
      status: 5,
    });
    expect(skipped.status).toBe(200);
    expect(skipped.body.issue).not.toHaveProperty("root_causes");
  });

  it("answers a 400 where mlflow's enum lookup fails with a 500 (deliberate)", async () => {
    const bad = await createIssue({ experiment_id: exp, name: "n", description: "d", status: "bogus" });
    expect(bad).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message: "'bogus' is not a valid IssueStatus",
      },
    });
    const empty = await createIssue({ experiment_id: exp, name: "n", description: "d", severity: "" });
    expect(empty.body.message).toBe("'' is not a valid IssueSeverity");
  });

  it("updates the issue of the path but requires issue_id in the body, as mlflow does", async () => {
    const created = await createIssue({
      experiment_id: exp,
      name: "u1",
      description: "ud1",
      severity: "medium",
    });
    const id = (created.body.issue as { issue_id: string }).issue_id;
    const patch = (path: string, body: object) => call("PATCH", `/api/3.0/mlflow/issues/${path}`, body);

    expect(await patch(id, { name: "x" })).toEqual({ status: 400, body: missing("issue_id") });
    const updated = await patch(id, {
      issue_id: "iss-other",
      name: "u2",
      description: "",
      status: "rejected",
    });
    expect(updated.status).toBe(200);
    expect(updated.body.issue).toMatchObject({
      issue_id: id,
      name: "u2",
      description: "ud1",
      status: "rejected",
      severity: "medium",
    });
    expect((await patch(id, { issue_id: id, status: "" })).body.message).toBe(
      "'' is not a valid IssueStatus",
    );
    expect(await patch("iss-nope", { issue_id: "iss-nope" })).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "Issue with ID 'iss-nope' not found",
      },
    });
    expect((await call("GET", `/api/3.0/mlflow/issues/${id}?issue_id=other`)).body).toEqual(updated.body);
  });

  it("searches with mlflow's defaults, tokens and messages", async () => {
    const other = await createExperiment(server.ctx.meta.db, { name: "search" }, "mlflow-artifacts:/", 1);
    for (const name of ["a", "b", "c"]) await createIssue({ experiment_id: other, name, description: "d" });
    expect(await search({ experiment_id: "424242" })).toEqual({ status: 200, body: { next_page_token: "" } });

    const page = await search({ experiment_id: other, max_results: "2", include_trace_count: true });
    expect((page.body.issues as { name: string }[]).map((i) => i.name)).toEqual(["c", "b"]);
    expect((page.body.issues as { trace_count: number }[])[0]?.trace_count).toBe(0);
    expect(page.body.next_page_token).toBe("eyJvZmZzZXQiOiAyfQ==");
    const rest = await search({
      experiment_id: other,
      page_token: page.body.next_page_token,
      max_results: 1.5,
    });
    expect(rest.body).toEqual({ issues: [expect.objectContaining({ name: "a" })], next_page_token: "" });

    expect((await search({ page_token: "e30=" })).body.message).toBe("Invalid page token, parsed value={}");
    expect((await search({ experiment_id: other, max_results: 0 })).body.message).toBe(
      "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    );
    expect((await search({ filter_string: "status = 'a' OR status = 'b'" })).body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: "Invalid clause(s) in filter string: OR",
    });
    // `issues/search` is not an issue id, for GET as in mlflow.
    expect((await call("GET", "/api/3.0/mlflow/issues/search")).body.message).toBe(
      "Issue with ID 'search' not found",
    );
  });
});
