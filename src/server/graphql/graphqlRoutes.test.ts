import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sendRaw } from "../../../test/support/rawHttp.js";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";

/** Answers recorded from `mlflow server` 3.17.2's `/graphql` (see tests/compat/test_graphql.py). */
describe("the /graphql route", () => {
  let server: TestServer;
  let runId: string;
  const saved = { ...process.env };
  const post = async (body: object) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const errorsOf = async (body: object) =>
    (JSON.parse((await post(body)).text) as { errors: unknown }).errors;

  beforeAll(async () => {
    server = await startTestServer();
    const experiment = await callMlflowApi<{ experiment_id: string }>(server, "POST", "experiments/create", {
      name: "gq",
    });
    const run = await callMlflowApi<{ run: { info: { run_id: string } } }>(server, "POST", "runs/create", {
      experiment_id: experiment.json.experiment_id,
      run_name: "r",
      start_time: 1700000000000,
    });
    runId = run.json.run.info.run_id;
    await callMlflowApi(server, "POST", "runs/log-metric", {
      run_id: runId,
      key: "m",
      value: "NaN",
      timestamp: 1,
      step: 2 ** 40,
    });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it("echoes in Flask's JSON: sorted keys, compact, a closing newline, errors null", async () => {
    const answer = await post({ query: '{ test(inputString: "h\u00e9") { output } __typename }' });
    expect(answer).toEqual({
      status: 200,
      text: '{"data":{"__typename":"Query","test":{"output":"h\\u00e9"}},"errors":null}\n',
    });
  });

  it("reads unset proto fields as their defaults and NaN metrics as null", async () => {
    const query = `{ mlflowGetRun(input: {runId: "${runId}"}) { apiError { code } run {
      info { runId endTime status } data { metrics { key value step runId } }
      inputs { datasetInputs { tags { key } } } outputs { modelOutputs { step } }
      experiment { name workspace effectiveTraceArchivalRetention } modelVersions { name } } } }`;
    expect(JSON.parse((await post({ query })).text)).toEqual({
      data: {
        mlflowGetRun: {
          apiError: null,
          run: {
            data: { metrics: [{ key: "m", runId: "", step: "1099511627776", value: null }] },
            experiment: { effectiveTraceArchivalRetention: "", name: "gq", workspace: "default" },
            info: { endTime: "0", runId, status: "RUNNING" },
            inputs: { datasetInputs: [] },
            modelVersions: [],
            outputs: { modelOutputs: [] },
          },
        },
      },
      errors: null,
    });
  });

  it("answers a resolver's error as a message beside the data, with status 200", async () => {
    const answer = await post({
      query:
        '{ a: mlflowGetRun(input: {runId: "nope"}) { run { info { runId } } } b: test(inputString: "x") { output } }',
    });
    expect(answer).toEqual({
      status: 200,
      text: '{"data":{"a":null,"b":{"output":"x"}},"errors":["Run with id=nope not found"]}\n',
    });
    expect(await errorsOf({ query: "{ mlflowGetRun { run { info { runId } } } }" })).toEqual([
      "QueryType.resolve_mlflow_get_run() missing 1 required positional argument: 'input'",
    ]);
    expect(
      await errorsOf({ query: "mutation { mlflowSearchRuns(input: {runViewType: ALL}) { nextPageToken } }" }),
    ).toEqual([
      "Failed to parse run_view_type field: int() argument must be a string, a bytes-like object or a real number, not 'EnumMeta'.",
    ]);
  });

  it("words validation and variable errors as graphql-core does", async () => {
    expect(await errorsOf({ query: "{ nope test { outputt } }" })).toEqual([
      "Cannot query field 'nope' on type 'Query'.",
      "Cannot query field 'outputt' on type 'Test'. Did you mean 'output'?",
    ]);
    expect(await errorsOf({ query: '{ test(inputString: "a") @include(if: true) { output } }' })).toEqual([
      "Unknown directive '@include'.",
    ]);
    const longString =
      "query($m: LongString) { mlflowSearchModelVersions(input: {maxResults: $m}) { nextPageToken } }";
    expect(await errorsOf({ query: longString, variables: { m: "abc" } })).toEqual([
      "Variable '$m' got invalid value 'abc'; Expected type 'LongString'. invalid literal for int() with base 10: 'abc'",
    ]);
    const nan = `{ mlflowGetMetricHistoryBulkInterval(input: {runIds: ["${runId}"], metricKey: "m"}) { metrics { value } } }`;
    expect(await errorsOf({ query: nan })).toEqual(["Float cannot represent non numeric value: nan"]);
  });

  it("holds queries to MLflow's limits, the two counts read from MLflow's environment variables", async () => {
    const aliased = `{ test(inputString: "x") { ${Array.from({ length: 11 }, (_, i) => `o${i}: output`).join(" ")} } }`;
    expect(await errorsOf({ query: aliased })).toEqual([
      "GraphQL queries should have at most 10 aliases, got 11 aliases. To increase the limit, set the MLFLOW_SERVER_GRAPHQL_MAX_ALIASES environment variable.",
    ]);
    process.env.MLFLOW_SERVER_GRAPHQL_MAX_ALIASES = "11";
    expect(await errorsOf({ query: aliased })).toBeNull();
    const roots = `{ ${Array.from({ length: 11 }, () => "__typename").join(" ")} }`;
    expect(await errorsOf({ query: roots })).toEqual([
      "GraphQL queries should have at most 10 root fields, got 11 root fields. To increase the limit, set the MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS environment variable.",
    ]);
    const deep = "{ a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } }";
    expect(await post({ query: deep })).toEqual({
      status: 200,
      text: '{"data":null,"errors":["Query exceeds maximum depth of 10"]}\n',
    });
    const wide = `{ test(inputString: "x") { ${"output ".repeat(1001)}} }`;
    expect(await errorsOf({ query: wide })).toEqual(["Query exceeds maximum total selections of 1000"]);
  });

  it("reads a GET's JSON body, never its query string, and fails as MLflow's handler does", async () => {
    const url = new URL(server.url);
    const body = Buffer.from('{"query": "{ test(inputString: \\"a\\") { output } }"}');
    const get = await sendRaw(url, { method: "GET", path: "/graphql", body });
    expect([get.status, get.body.toString()]).toEqual([
      200,
      '{"data":{"test":{"output":"a"}},"errors":null}\n',
    ]);
    const fromQuery = await sendRaw(url, { method: "GET", path: "/graphql?query=%7B__typename%7D" });
    expect(fromQuery.status).toBe(500);
    expect((await post({ query: "{ test(" })).status).toBe(500);
    expect((await post({})).status).toBe(500);
    const noType = await sendRaw(url, { method: "POST", path: "/graphql", body: Buffer.from("{}") });
    expect([noType.status, JSON.parse(noType.body.toString())]).toEqual([
      400,
      {
        error_code: "INVALID_PARAMETER_VALUE",
        message: "Bad Request. Content-Type header is missing.",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
      },
    ]);
  });
});
