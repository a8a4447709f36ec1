import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  jsonCaller,
  startTestServer,
  type TestServer,
  type WireBody,
} from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";

const LINK = "/api/2.0/mlflow/traces/link-prompts";
const HINT = "See the API docs for more information about request parameters.";

// Answers recorded from `mlflow server` 3.17.2 (SQLite store) for the same requests.
describe("LinkPromptsToTrace route", () => {
  let server: TestServer;
  let experimentId: string;
  const call = jsonCaller(() => server);
  const location = () => ({ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } });
  const search = async (filter: string) =>
    (
      (await call("POST", "/api/3.0/mlflow/traces/search", { locations: [location()], filter })).body
        .traces as WireBody[] | undefined
    )?.map((t) => t.trace_id as string) ?? [];

  beforeAll(async () => {
    server = await startTestServer();
    experimentId = await createExperiment(server.ctx.meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    const created = await call("POST", "/api/3.0/mlflow/traces", {
      trace: {
        trace_info: {
          trace_id: "tr-a1",
          trace_location: location(),
          request_time: "2024-01-01T00:00:00Z",
          execution_duration: "1s",
          state: "OK",
        },
      },
    });
    expect(created.status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  it("links prompt versions under /api and /ajax-api, ignores repeats, and answers {}", async () => {
    const versions = [{ name: "p", version: "1" }];
    expect(await call("POST", LINK, { trace_id: "tr-a1", prompt_versions: versions })).toEqual({
      status: 200,
      body: {},
    });
    expect(
      await call("POST", LINK, {
        trace_id: "tr-a1",
        prompt_versions: [...versions, { name: "q", version: "2" }],
      }),
    ).toEqual({ status: 200, body: {} });
    const ajax = await call("POST", "/ajax-api/2.0/mlflow/traces/link-prompts", {
      trace_id: "tr-a1",
      prompt_versions: versions,
    });
    expect(ajax).toEqual({ status: 200, body: {} });
    expect(await search('prompt = "p/1"')).toEqual(["tr-a1"]);
    expect(await search('prompt = "q/2"')).toEqual(["tr-a1"]);
  });

  it("does not show the links as a tag: the client sets mlflow.linkedPrompts itself", async () => {
    const got = await call("GET", "/api/3.0/mlflow/traces/tr-a1");
    expect(Object.keys(got.body.trace.trace_info.tags as object)).toEqual(["mlflow.artifactLocation"]);
  });

  it("reads versions with Python's int(), as mlflow's handler does", async () => {
    for (const version of ["05", " 6", "-1", "1_0"]) {
      const linked = await call("POST", LINK, {
        trace_id: "tr-a1",
        prompt_versions: [{ name: "v", version }],
      });
      expect(linked.status).toBe(200);
    }
    expect(await search('prompt = "v/5"')).toEqual(["tr-a1"]);
    expect(await search('prompt = "v/05"')).toEqual([]);
    expect(await search('prompt = "v/6"')).toEqual(["tr-a1"]);
    expect(await search('prompt = "v/-1"')).toEqual(["tr-a1"]);
    expect(await search('prompt = "v/10"')).toEqual(["tr-a1"]);
  });

  it("links a reference without a name as /<version>, as mlflow does", async () => {
    await call("POST", LINK, { trace_id: "tr-a1", prompt_versions: [{ version: "3" }] });
    expect(await search('prompt = "/3"')).toEqual(["tr-a1"]);
  });

  it("answers 404 for a trace that does not exist", async () => {
    expect(
      await call("POST", LINK, { trace_id: "tr-missing", prompt_versions: [{ name: "p", version: "1" }] }),
    ).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "Trace with ID 'tr-missing' not found.",
      },
    });
  });

  it("accepts an empty list, even for a trace that does not exist", async () => {
    expect(await call("POST", LINK, { trace_id: "tr-missing", prompt_versions: [] })).toEqual({
      status: 200,
      body: {},
    });
  });

  it("requires trace_id and prompt_versions with mlflow's messages", async () => {
    const missing = (field: string) => ({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message: `Missing value for required parameter '${field}'. ${HINT}`,
      },
    });
    expect(await call("POST", LINK, { trace_id: "tr-a1" })).toEqual(missing("prompt_versions"));
    expect(await call("POST", LINK, { prompt_versions: [{ name: "p", version: "1" }] })).toEqual(
      missing("trace_id"),
    );
    expect(await call("POST", LINK, {})).toEqual(missing("trace_id"));
    expect(await call("POST", LINK, { trace_id: "", prompt_versions: [] })).toEqual(missing("trace_id"));
  });

  it("refuses a prompt_versions object and a numeric trace_id, as mlflow does", async () => {
    const asObject = await call("POST", LINK, {
      trace_id: "tr-a1",
      prompt_versions: { name: "p", version: "1" },
    });
    expect(asObject.status).toBe(400);
    expect(asObject.body.message).toMatch(
      /^Invalid value \{"name":"p","version":"1"\} for parameter 'prompt_versions' supplied/,
    );
    const numericId = await call("POST", LINK, { trace_id: 5, prompt_versions: [] });
    expect(numericId.status).toBe(400);
    expect(numericId.body.message).toMatch(/^Invalid value 5 for parameter 'trace_id' supplied/);
  });

  // mlflow 3.17.2 answers these with an HTML 500 (int() fails in its handler); they are the caller's mistake.
  it("refuses a version that is missing or not an integer with a 400", async () => {
    const refused = async (version: unknown) => {
      const body = version === undefined ? { name: "p" } : { name: "p", version };
      return call("POST", LINK, { trace_id: "tr-a1", prompt_versions: [body] });
    };
    expect((await refused(undefined)).body.message).toBe(
      `Missing value for required parameter 'prompt_versions[0].version'. ${HINT}`,
    );
    expect((await refused("x")).body.message).toBe(
      `Invalid value "x" for parameter 'prompt_versions[0].version' supplied: expected an integer version. ${HINT}`,
    );
    expect((await refused(4)).status).toBe(400);
    expect((await refused("1.5")).status).toBe(400);
  });
});
