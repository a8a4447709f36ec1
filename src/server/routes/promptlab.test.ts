import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

/** Answers and files recorded from `mlflow server` 3.17.2 for the same requests. */
describe("POST /ajax-api/2.0/mlflow/runs/create-promptlab-run", () => {
  let server: TestServer;
  const path = "/ajax-api/2.0/mlflow/runs/create-promptlab-run";
  const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${server.url}${path}`, { method: "POST", body, headers });
  const request = {
    experiment_id: "0",
    run_name: "myrun",
    prompt_template: "Hello {{ name }}",
    prompt_parameters: [
      { key: "name", value: "bob" },
      { key: "n", value: 3 },
    ],
    model_route: "chat",
    model_parameters: [
      { key: "temperature", value: 0.5 },
      { key: "max_tokens", value: 10 },
    ],
    model_input: "Hello bob",
    model_output: "hi!",
    model_output_parameters: [{ key: "latency", value: 12 }],
    mlflow_version: "3.17.2",
    user_id: "alice",
    start_time: 1700000000000,
  };

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("leaves empty lists out of the run, as mlflow's protobuf JSON does", async () => {
    // mlflow 3.17.2, with no model_output_parameters: no `metrics` key, and `"inputs": {}, "outputs": {}`.
    const response = await post(JSON.stringify({ ...request, model_output_parameters: [] }));
    expect(response.status).toBe(200);
    const { run } = (await response.json()) as { run: Record<string, Record<string, unknown>> };
    expect(run.data).not.toHaveProperty("metrics");
    expect(run.inputs).toEqual({});
    expect(run.outputs).toEqual({});
  });

  it("creates a finished PROMPT_ENGINEERING run with its params, tags, table and model", async () => {
    const response = await post(JSON.stringify(request));
    expect(response.status).toBe(200);
    const { run } = (await response.json()) as { run: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(run.info).toMatchObject({
      run_name: "myrun",
      user_id: "alice",
      status: "FINISHED",
      start_time: 1700000000000,
    });
    const params = Object.fromEntries(
      run.data.params.map((p: { key: string; value: string }) => [p.key, p.value]),
    );
    expect(params).toEqual({
      temperature: "0.5",
      max_tokens: "10",
      model_route: "chat",
      prompt_template: "Hello {{ name }}",
    });
    const tags = Object.fromEntries(
      run.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]),
    );
    expect(tags["mlflow.loggedArtifacts"]).toBe('[{"path": "eval_results_table.json", "type": "table"}]');
    expect(tags["mlflow.runSourceType"]).toBe("PROMPT_ENGINEERING");
    expect(tags["mlflow.log-model.history"]).toMatch(
      /^\[\{"run_id": "[0-9a-f]{32}", "artifact_path": "model", "utc_time_created": "[0-9-]{10} [0-9:.]{15}", "model_uuid": "[0-9a-f]{32}", "flavors": \{\}\}\]$/,
    );
    const dir = join(server.ctx.config.artifactsDestination, "0", run.info.run_id, "artifacts");
    expect(await readFile(join(dir, "eval_results_table.json"), "utf8")).toBe(
      '{"columns": ["name", "n", "prompt", "output", "latency"], "data": [["bob", "3", "Hello bob", "hi!", "12"]]}',
    );
    expect(await readFile(join(dir, "model", "parameters.yaml"), "utf8")).toBe(
      "model_parameters:\n  max_tokens: '10'\n  temperature: '0.5'\nmodel_route: chat\nprompt_parameters:\n  n: '3'\n  name: bob\nprompt_template: Hello {{ name }}\n",
    );
    expect(await readFile(join(dir, "model", "input_example.json"), "utf8")).toBe('{"inputs": ["bob", "3"]}');
    const mlmodel = await readFile(join(dir, "model", "MLmodel"), "utf8");
    expect(mlmodel).toContain(
      `signature:\n  inputs: '[{"type": "string", "name": "name", "required": true}, {"type": "string",\n    "name": "n", "required": true}]'\n  outputs: '[{"type": "string", "name": "output", "required": true}]'\n  params: null\n`,
    );
    expect(mlmodel).toContain(`run_id: ${run.info.run_id}\n`);
  });

  it("refuses what MLflow refuses, with its messages", async () => {
    const cases: [string, Record<string, string>, string][] = [
      [
        "{}",
        { "content-type": "text/plain" },
        "Bad Request. Content-Type must be one of ['application/json'].",
      ],
      ["{}", {}, "Bad Request. Content-Type header is missing."],
      [
        "{}",
        { "content-type": "application/json" },
        "CreatePromptlabRun request must specify experiment_id.",
      ],
      [
        JSON.stringify({ ...request, prompt_parameters: [] }),
        { "content-type": "application/json" },
        "CreatePromptlabRun request must specify prompt_parameters.",
      ],
      [
        JSON.stringify({ ...request, mlflow_version: "" }),
        { "content-type": "application/json" },
        "CreatePromptlabRun request must specify mlflow_version.",
      ],
    ];
    for (const [body, headers, message] of cases) {
      const response = await fetch(`${server.url}${path}`, {
        method: "POST",
        body: body === "{}" && !headers["content-type"] ? new Blob([body]) : body,
        headers,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error_code: "INVALID_PARAMETER_VALUE",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
        message,
      });
    }
  });

  it("answers 500 as MLflow does for tags, which its store cannot take as dicts", async () => {
    const response = await post(JSON.stringify({ ...request, tags: [{ key: "t", value: "v" }] }));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error_code: "INTERNAL_ERROR",
      sqlstate: "XXM00",
      error_class: "CLIENT_INTERNAL_ERROR",
      message: "'dict' object has no attribute 'key'",
    });
  });
  const run = async (body: object) => {
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(200);
    return ((await response.json()) as { run: any }).run; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const fails = async (body: object, status: number, message: string) => {
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(status);
    expect(((await response.json()) as { message: string }).message).toBe(message);
  };

  it("refuses what MLflow's store refuses, after the field checks and the experiment", async () => {
    await fails({ ...request, tags: { t: "v" } }, 500, "'str' object has no attribute 'key'");
    await fails({ ...request, tags: "t" }, 500, "'str' object has no attribute 'copy'");
    await fails({ ...request, tags: 5 }, 500, "'int' object has no attribute 'copy'");
    await fails({ ...request, user_id: null }, 500, "user_id cannot be None");
    await fails({ ...request, start_time: null }, 500, "start_time cannot be None");
    const tooLarge = await post(JSON.stringify(request).replace("1700000000000", "9223372036854775808"));
    expect(tooLarge.status).toBe(500);
    expect(((await tooLarge.json()) as { message: string }).message).toBe(
      "Python int too large to convert to SQLite INTEGER",
    );
    await fails(
      { ...request, tags: [{}], model_route: "" },
      400,
      "CreatePromptlabRun request must specify model_route.",
    );
    await fails(
      { ...request, tags: [{}], experiment_id: "98765" },
      404,
      "No Experiment with id=98765 exists",
    );
    for (const tags of [null, {}, "", 0])
      expect((await run({ ...request, tags })).info.status).toBe("FINISHED");
  });

  it("keeps start_time as SQLite's INTEGER column gives it back", async () => {
    for (const [sent, stored] of [
      ["12", 12],
      [" +7 ", 7],
      ["1e3", 1000],
      ["12.0", 12],
      [true, 1],
      [false, 0],
    ]) {
      expect((await run({ ...request, start_time: sent })).info.start_time).toBe(stored);
    }
    const float = await post(JSON.stringify(request).replace("1700000000000", "12.0"));
    expect(((await float.json()) as { run: { info: { start_time: number } } }).run.info.start_time).toBe(12);
    for (const sent of ["12.5", "abc", "0x10", 12.5]) {
      expect((await post(JSON.stringify({ ...request, start_time: sent }))).status).toBe(500);
    }
  });

  it("fails the run when model_route or prompt_template is no string, as MLflow's store refuses it", async () => {
    for (const value of [["a"], { a: 1 }, true, 1.5, 7]) {
      for (const field of ["model_route", "prompt_template"]) {
        const failed = await run({ ...request, [field]: value });
        expect(failed.info.status).toBe("FAILED");
        // mlflow 3.17.2 answers no `params` key at all (protobuf JSON leaves an empty list out).
        expect(failed.data).not.toHaveProperty("params");
      }
    }
  });

  it("answers 500 for a parameter list Python cannot iterate", async () => {
    for (const value of [null, 0, 5, true]) {
      for (const field of ["model_parameters", "model_output_parameters"]) {
        const response = await post(JSON.stringify({ ...request, [field]: value }));
        expect(response.status).toBe(500);
      }
    }
  });
});
