import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  jsonCaller,
  startTestServer,
  type TestServer,
  type WireBody,
} from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";
import { customScorersAllowed } from "./scorers.js";

// Expected answers are what `mlflow server` 3.17.2 (SQLite store) answered to the same requests.
describe("scorer routes", () => {
  let server: TestServer;
  let exp: string;
  const serialized = JSON.stringify({
    name: "s1",
    builtin_scorer_class: "RelevanceToQuery",
    builtin_scorer_pydantic_data: { name: "s1", model: "openai:/gpt-4" },
  });
  const call = jsonCaller(() => server);
  const get = (path: string, query: string) => call("GET", `/api/3.0/mlflow/scorers/${path}?${query}`);

  beforeAll(async () => {
    server = await startTestServer();
    exp = await createExperiment(server.ctx.meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
  });
  afterAll(async () => {
    await server.close();
  });

  it("registers, lists, gets and deletes with mlflow's field names on each answer", async () => {
    const register = () =>
      call("POST", "/api/3.0/mlflow/scorers/register", {
        experiment_id: exp,
        name: "s1",
        serialized_scorer: serialized,
      });
    const first = await register();
    expect(first.status).toBe(200);
    // RegisterScorer answers experiment_id as a string and `name`; the Scorer message a number and `scorer_name`.
    expect(first.body).toEqual({
      version: 1,
      scorer_id: expect.any(String),
      experiment_id: exp,
      name: "s1",
      serialized_scorer: serialized,
      creation_time: expect.any(Number),
    });
    const second = await register();
    expect(second.body.version).toBe(2);
    const scorerId = first.body.scorer_id as string;
    expect((await get("list", `experiment_id=${exp}`)).body).toEqual({
      scorers: [
        {
          experiment_id: Number(exp),
          scorer_name: "s1",
          scorer_version: 2,
          serialized_scorer: serialized,
          creation_time: second.body.creation_time,
          scorer_id: scorerId,
        },
      ],
    });
    const versions = await get("versions", `experiment_id=${exp}&name=s1`);
    expect(versions.body.scorers.map((s: WireBody) => s.scorer_version)).toEqual([1, 2]);
    const one = await call("GET", `/ajax-api/3.0/mlflow/scorers/get?experiment_id=${exp}&name=s1&version=1`);
    expect(one.body.scorer).toMatchObject({ scorer_version: 1, scorer_id: scorerId });
    expect((await get("online-configs", `scorer_ids=${scorerId}&scorer_ids=b`)).body).toEqual({
      configs: [],
    });
    const stopped = await call("PUT", "/api/3.0/mlflow/scorers/online-config", {
      experiment_id: exp,
      name: "s1",
      sample_rate: 0,
    });
    expect(stopped.body).toEqual({
      config: {
        online_scoring_config_id: expect.any(String),
        scorer_id: scorerId,
        sample_rate: 0,
        experiment_id: exp,
      },
    });
    expect((await get("online-configs", `scorer_ids=${scorerId}`)).body.configs).toHaveLength(1);
    const deleted = await call("DELETE", "/api/3.0/mlflow/scorers/delete", {
      experiment_id: exp,
      name: "s1",
    });
    expect(deleted).toEqual({ status: 200, body: {} });
    // An empty repeated field is left out of protobuf JSON.
    expect((await get("list", `experiment_id=${exp}`)).body).toEqual({});
  });

  it("answers mlflow's errors", async () => {
    const missingVersion = await get("get", `experiment_id=${exp}&name=nope`);
    expect(missingVersion).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: `Scorer with name 'nope' not found for experiment ${exp}.`,
      },
    });
    expect((await get("get", `experiment_id=${exp}&name=s1&version=x`)).body.message).toBe(
      `Invalid value "x" for parameter 'version' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.`,
    );
    const noName = await call("POST", "/api/3.0/mlflow/scorers/register", {
      experiment_id: exp,
      serialized_scorer: "{}",
    });
    expect(noName).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message:
          "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
      },
    });
    expect((await get("list", `experiment_id=${exp}&experiment_ids=${exp}`)).body.message).toMatch(
      /^Cannot specify both 'experiment_id' and 'experiment_ids'\./,
    );
    expect((await get("online-configs", "")).body.message).toBe(
      "Missing value for required parameter 'scorer_ids'. See the API docs for more information about request parameters.",
    );
    const badFilter = await call("PUT", "/api/3.0/mlflow/scorers/online-config", {
      experiment_id: exp,
      name: "s1",
      sample_rate: 0,
      filter_string: 3,
    });
    expect(badFilter.body.message).toBe(
      "Invalid value 3 for parameter 'filter_string' supplied: Value was of type 'int'. Expected type 'str' or None.",
    );
    // mlflow's handler fails here with an HTML 500 page; FlowOps says why.
    const badRate = await call("PUT", "/api/3.0/mlflow/scorers/online-config", {
      experiment_id: exp,
      name: "s1",
      sample_rate: "x",
    });
    expect(badRate).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message: "sample_rate must be a number, got str",
      },
    });
  });

  it("reads MLFLOW_SERVER_ENABLE_CUSTOM_SCORERS as mlflow's boolean variables", () => {
    expect(customScorersAllowed({ MLFLOW_SERVER_ENABLE_CUSTOM_SCORERS: "True" })).toBe(true);
    expect(customScorersAllowed({ MLFLOW_SERVER_ENABLE_CUSTOM_SCORERS: "1" })).toBe(true);
    expect(customScorersAllowed({ MLFLOW_SERVER_ENABLE_CUSTOM_SCORERS: "false" })).toBe(false);
    expect(customScorersAllowed({})).toBe(false);
  });
});
