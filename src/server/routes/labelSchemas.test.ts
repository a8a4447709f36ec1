import { describe, expect, it } from "vitest";
import {
  invalidParameterAnswer as invalid,
  missingParameterAnswer as missing,
  serverWithExperiment,
} from "../../../test/support/experimentSuites.js";
import { jsonCaller, type TestServer } from "../../../test/support/testServer.js";

// Expected answers are what `mlflow server` 3.17.2 (SQLite store) answered to the same requests.
describe("label schema routes", () => {
  let server: TestServer;
  let exp: string;
  const call = jsonCaller(() => server);
  const api = "/api/3.0/mlflow/label-schemas";
  const get = (path: string, query: string) => call("GET", `${api}/${path}?${query}`);
  const create = (fields: Record<string, unknown>) =>
    call("POST", `${api}/create`, { experiment_id: exp, type: "FEEDBACK", input: { text: {} }, ...fields });

  serverWithExperiment((started, experimentId) => {
    server = started;
    exp = experimentId;
  });

  it("creates, gets, lists, updates and deletes with mlflow's fields in its order", async () => {
    const created = await call("POST", `${api}/create`, {
      experiment_id: exp,
      name: "q2",
      type: "EXPECTATION",
      instruction: "be nice",
      enable_comment: true,
      input: { categorical: { options: ["a", "b"], multi_select: true } },
    });
    expect(created.status).toBe(200);
    const schema = created.body.label_schema;
    expect(Object.keys(schema)).toEqual([
      "schema_id",
      "experiment_id",
      "name",
      "type",
      "instruction",
      "enable_comment",
      "input",
      "created_at",
      "last_updated_at",
      "is_default",
    ]);
    expect(schema).toEqual({
      schema_id: expect.stringMatching(/^ls-[0-9a-f]{32}$/),
      experiment_id: exp,
      name: "q2",
      type: "EXPECTATION",
      instruction: "be nice",
      enable_comment: true,
      input: { categorical: { options: ["a", "b"], multi_select: true } },
      created_at: expect.any(Number),
      last_updated_at: schema.created_at,
      is_default: false,
    });
    expect((await get("get", `schema_id=${schema.schema_id}`)).body).toEqual({ label_schema: schema });
    const byName = await call(
      "GET",
      `/ajax-api/3.0/mlflow/label-schemas/get-by-name?experiment_id=${exp}&name=q2`,
    );
    expect(byName.body).toEqual({ label_schema: schema });

    const numeric = await create({
      name: "n",
      type: 1,
      input: { numeric: { min_value: "NaN", max_value: 3 } },
    });
    expect(numeric.body.label_schema).toMatchObject({
      type: "FEEDBACK",
      enable_comment: false,
      input: { numeric: { min_value: "NaN", max_value: 3 } },
    });
    expect(numeric.body.label_schema).not.toHaveProperty("instruction");

    const listed = await get("list", `experiment_id=${exp}&max_results=2`);
    expect(listed.body).toEqual({
      label_schemas: [
        expect.objectContaining({
          name: "Feedback",
          type: "FEEDBACK",
          instruction: "Share any feedback on this trace.",
          input: { text: {} },
          is_default: true,
        }),
        numeric.body.label_schema,
      ],
      next_page_token: "eyJvZmZzZXQiOiAyfQ==",
    });
    const last = await get(
      "list",
      `experiment_id=${exp}&max_results=2&page_token=${listed.body.next_page_token}`,
    );
    expect(last.body).toEqual({ label_schemas: [schema], next_page_token: "" });
    const beyond = await get("list", `experiment_id=${exp}&page_token=eyJvZmZzZXQiOjEwMH0=`);
    expect(beyond.body).toEqual({ next_page_token: "" });

    const updated = await call("PATCH", `${api}/update`, {
      schema_id: schema.schema_id,
      name: "q3",
      instruction: "",
      type: "FEEDBACK",
      input: { categorical: { options: ["c"], multi_select: true } },
    });
    expect(updated.body.label_schema).toMatchObject({
      name: "q3",
      type: "EXPECTATION",
      instruction: "",
      input: { categorical: { options: ["c"], multi_select: true } },
    });
    expect(await call("DELETE", `${api}/delete`, { schema_id: schema.schema_id })).toEqual({
      status: 200,
      body: {},
    });
    expect(await call("DELETE", `${api}/delete`, { schema_id: schema.schema_id })).toEqual({
      status: 200,
      body: {},
    });
  });

  it("reads fields protobuf cannot parse as unset, as mlflow does", async () => {
    const read = async (fields: Record<string, unknown>) => (await create(fields)).body.label_schema;
    expect(await read({ name: "l1", enable_comment: "yes", instruction: 5 })).toMatchObject({
      enable_comment: false,
    });
    expect(await read({ name: "l2", input: { text: { max_length: 1.5 } } })).toMatchObject({
      input: { text: {} },
    });
    expect(await read({ name: "l3", input: { text: { max_length: "10" } } })).toMatchObject({
      input: { text: { max_length: 10 } },
    });
    expect(await read({ name: "l4", input: { text: "x" } })).toMatchObject({ input: { text: {} } });
    expect(await read({ name: "l5", input: { text: null, numeric: { min_value: "1e400" } } })).toMatchObject({
      input: { numeric: { min_value: "Infinity" } },
    });
    expect(
      await read({ name: "l6", input: { categorical: { options: ["a", 5, "b"], multi_select: "true" } } }),
    ).toMatchObject({ input: { categorical: { options: ["a"], multi_select: false } } });
    expect(await read({ name: "l7", input: { numeric: {}, text: {} } })).toMatchObject({
      input: { numeric: {} },
    });
  });

  it("answers mlflow's errors", async () => {
    const typeError = invalid(
      "Label schema `type` must be one of FEEDBACK or EXPECTATION; got proto enum value 0.",
    );
    for (const type of [undefined, "feedback", "LABEL_SCHEMA_TYPE_UNSPECIFIED", 7, [1]]) {
      expect(await create({ name: "x", type })).toEqual(typeError);
    }
    const oneof = invalid(
      "Label schema `input` must have exactly one of `pass_fail`, `categorical`, `numeric`, or `text` set; got an empty oneof.",
    );
    for (const input of [undefined, {}, "text", { pass_fail: null }]) {
      expect(await create({ name: "x", input })).toEqual(oneof);
    }
    expect(await create({ name: "" })).toEqual(missing("name"));
    expect(await create({ name: "x", experiment_id: undefined })).toEqual(missing("experiment_id"));
    expect(await create({ name: "x", experiment_id: 5 })).toEqual(
      invalid(
        "Invalid value 5 for parameter 'experiment_id' supplied:  Hint: Value was of type 'int'. See the API docs for more information about request parameters.",
      ),
    );
    expect(await create({ name: "x", experiment_id: "999999" })).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "No Experiment with id=999999 exists",
      },
    });
    expect(await create({ name: "Feedback" })).toEqual(
      invalid(
        "`Feedback` is reserved for the experiment's default question and cannot be used for another label schema.",
      ),
    );
    expect(await create({ name: "x", input: { pass_fail: [1] } })).toEqual(
      invalid("`InputPassFail.positive_label` must be a non-empty string; got ''."),
    );
    await create({ name: "dup" });
    expect(await create({ name: "dup" })).toEqual({
      status: 400,
      body: {
        error_code: "RESOURCE_ALREADY_EXISTS",
        sqlstate: "KAM00",
        error_class: "RESOURCE_ALREADY_EXISTS",
        message: `Label schema with name 'dup' already exists for experiment '${exp}'.`,
      },
    });
    expect(await get("get", "schema_id=ls-nope")).toEqual({
      status: 404,
      body: {
        error_code: "RESOURCE_DOES_NOT_EXIST",
        sqlstate: "KAM00",
        error_class: "RESOURCE_NOT_FOUND",
        message: "Label schema with id 'ls-nope' not found.",
      },
    });
    expect(await get("get", "")).toEqual(missing("schema_id"));
    expect(await get("get-by-name", `experiment_id=${exp}`)).toEqual(missing("name"));
    expect((await get("get-by-name", `experiment_id=${exp}&name=nope`)).body.message).toBe(
      `Label schema with name 'nope' not found for experiment '${exp}'.`,
    );
    const range = invalid(
      "max_results must be between 1 and 50000. See the API docs for more information about request parameters.",
    );
    expect(await get("list", `experiment_id=${exp}&max_results=0`)).toEqual(range);
    expect(await get("list", `experiment_id=${exp}&max_results=50001`)).toEqual(range);
    expect(await get("list", `experiment_id=${exp}&max_results=1.5`)).toEqual(
      invalid(
        `Invalid value "1.5" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.`,
      ),
    );
    // int(" 2") passes mlflow's check, but protobuf leaves the field unset: the default 100.
    expect(
      (await get("list", `experiment_id=${exp}&max_results=%202`)).body.label_schemas.length,
    ).toBeGreaterThan(2);
    expect(await get("list", `experiment_id=${exp}&page_token=garbage`)).toEqual(
      invalid("Invalid page token, could not base64-decode"),
    );
    expect(await get("list", "")).toEqual(missing("experiment_id"));
    expect(await call("PATCH", `${api}/update`, { schema_id: "ls-nope", input: {} })).toEqual(oneof);
    expect(await call("PATCH", `${api}/update`, { schema_id: 5 })).toEqual(
      invalid(
        "Invalid value 5 for parameter 'schema_id' supplied:  Hint: Value was of type 'int'. See the API docs for more information about request parameters.",
      ),
    );
    expect(await call("DELETE", `${api}/delete`, {})).toEqual(missing("schema_id"));
  });
});
