/**
 * Enum and int64 fields as `mlflow server` 3.17.2 (SQLite store) reads them; every expected answer here was
 * read off that server with curl, side by side with FlowOps.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callMlflowApi, startTestServer, type TestServer } from "../../../test/support/testServer.js";
import { leadingStrings, lenientInt64, protoLeadingStrings, requiredString } from "./protoScalars.js";

let server: TestServer;
let experimentId: string;

type Json = Record<string, unknown>;
const call = (method: string, path: string, body?: object) => callMlflowApi<Json>(server, method, path, body);

async function newRun(): Promise<string> {
  const run = await call("POST", "runs/create", { experiment_id: experimentId, start_time: 1 });
  return (run.json.run as { info: { run_id: string } }).info.run_id;
}

async function statusAfter(runId: string, status: unknown): Promise<{ status: number; runStatus?: string }> {
  const answer = await call("POST", "runs/update", { run_id: runId, status });
  const info = answer.json.run_info as { status: string } | undefined;
  return info === undefined ? { status: answer.status } : { status: answer.status, runStatus: info.status };
}

beforeAll(async () => {
  server = await startTestServer();
  experimentId = (await call("POST", "experiments/create", { name: "proto-scalars" })).json
    .experiment_id as string;
});
afterAll(async () => {
  await server.close();
});

describe("runs/update with a status given by number", () => {
  it("sets the status its proto number names, as a number or a decimal string", async () => {
    const runId = await newRun();
    expect(await statusAfter(runId, 3)).toEqual({ status: 200, runStatus: "FINISHED" });
    expect(await statusAfter(runId, "2")).toEqual({ status: 200, runStatus: "SCHEDULED" });
    expect(await statusAfter(runId, 4)).toEqual({ status: 200, runStatus: "FAILED" });
    expect(await statusAfter(runId, " 5 ")).toEqual({ status: 200, runStatus: "KILLED" });
  });

  it("truncates a fraction and reads true as 1, as Python's int() does", async () => {
    const runId = await newRun();
    await statusAfter(runId, "FINISHED");
    expect(await statusAfter(runId, 1.5)).toEqual({ status: 200, runStatus: "RUNNING" });
    await statusAfter(runId, "FINISHED");
    expect(await statusAfter(runId, true)).toEqual({ status: 200, runStatus: "RUNNING" });
    expect(await statusAfter(runId, 3.9)).toEqual({ status: 200, runStatus: "FINISHED" });
  });

  it("keeps the status for null, an unknown name or a numeric string out of range", async () => {
    const runId = await newRun();
    await statusAfter(runId, "FAILED");
    for (const status of [null, "3.0", "9"]) {
      expect(await statusAfter(runId, status)).toEqual({ status: 200, runStatus: "FAILED" });
    }
  });

  it("refuses a number that names no status, naming the field", async () => {
    const runId = await newRun();
    for (const status of [0, 6, -1, false, 6.5]) {
      const answer = await call("POST", "runs/update", { run_id: runId, status });
      expect(answer.status).toBe(400);
      expect(answer.json.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(answer.json.message).toContain("'status'");
      expect(answer.json.message).toContain("RUNNING, SCHEDULED, FINISHED, FAILED, KILLED");
    }
    const list = await call("POST", "runs/update", { run_id: runId, status: [3] });
    expect(list.status).toBe(400);
  });
});

describe("view types given by number", () => {
  beforeAll(async () => {
    const gone = (await call("POST", "experiments/create", { name: "proto-scalars-deleted" })).json
      .experiment_id as string;
    await call("POST", "experiments/delete", { experiment_id: gone });
  });

  const names = async (body: Json): Promise<string[]> => {
    const answer = await call("POST", "experiments/search", { max_results: 100, ...body });
    expect(answer.status).toBe(200);
    return ((answer.json.experiments ?? []) as { name: string }[]).map((e) => e.name).sort();
  };

  it("truncates a fractional view type and reads a numeric string", async () => {
    expect(await names({ view_type: 2.9 })).toEqual(["proto-scalars-deleted"]);
    expect(await names({ view_type: "2" })).toEqual(["proto-scalars-deleted"]);
    expect(await names({ view_type: true })).toEqual(["Default", "proto-scalars"]);
  });

  it("searches active experiments for a view type that names none", async () => {
    for (const viewType of [0, 4, false, "BOGUS", "1.5"]) {
      expect(await names({ view_type: viewType })).toEqual(["Default", "proto-scalars"]);
    }
  });

  it("reads run_view_type the same way in runs/search", async () => {
    const runId = await newRun();
    const search = async (runViewType: unknown) => {
      const answer = await call("POST", "runs/search", {
        experiment_ids: [experimentId],
        run_view_type: runViewType,
      });
      expect(answer.status).toBe(200);
      return ((answer.json.runs ?? []) as { info: { run_id: string } }[]).map((r) => r.info.run_id);
    };
    expect(await search(7)).toContain(runId);
    expect(await search(2.5)).toEqual([]);
  });
});

describe("logged-model finalization with a status given by number", () => {
  const newModel = async (): Promise<string> => {
    const created = await call("POST", "logged-models", { experiment_id: experimentId });
    return (created.json.model as { info: { model_id: string } }).info.model_id;
  };
  const finalize = (modelId: string, status: unknown) =>
    call("PATCH", `logged-models/${modelId}`, { model_id: modelId, status });

  it("finalizes with a numeric string or a fraction as MLflow does", async () => {
    for (const [status, expected] of [
      ["2", "LOGGED_MODEL_READY"],
      [2.7, "LOGGED_MODEL_READY"],
      [" 3", "LOGGED_MODEL_UPLOAD_FAILED"],
    ] as const) {
      const answer = await finalize(await newModel(), status);
      expect(answer.status).toBe(200);
      expect((answer.json.model as { info: { status: string } }).info.status).toBe(expected);
    }
  });

  it("refuses a status that would leave the model unfinished, which MLflow would store", async () => {
    const modelId = await newModel();
    for (const status of [1, "1", 0, 9, "BOGUS", null]) {
      const answer = await finalize(modelId, status);
      expect(answer.status).toBe(400);
      expect(answer.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    }
  });
});

describe("int64 fields beyond int64", () => {
  it("stores a metric step or timestamp beyond int64 as 0, in log-metric and log-batch", async () => {
    const runId = await newRun();
    const steps = [1e30, -1e30, 2 ** 63, "9223372036854775808"];
    for (const [value, step] of steps.entries()) {
      const logged = await call("POST", "runs/log-metric", {
        run_id: runId,
        key: "far-step",
        value,
        timestamp: 5,
        step,
      });
      expect(logged).toEqual({ status: 200, json: {} });
    }
    const batch = await call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [{ key: "far-time", value: 2, step: 3, timestamp: 1e30 }],
    });
    expect(batch.status).toBe(200);
    const history = await call("GET", "metrics/get-history", { run_id: runId, metric_key: "far-step" });
    expect(history.json.metrics).toEqual(
      steps.map((_step, value) => ({ key: "far-step", value, timestamp: 5, step: 0 })),
    );
    const run = await call("GET", "runs/get", { run_id: runId });
    const metrics = (run.json.run as { data: { metrics: Json[] } }).data.metrics;
    expect(metrics).toContainEqual({ key: "far-time", value: 2, timestamp: 0, step: 3 });
  });

  it("leaves a run's start or end time unset for a value beyond int64 instead of refusing it", async () => {
    const created = await call("POST", "runs/create", { experiment_id: experimentId, start_time: 1e30 });
    expect(created.status).toBe(200);
    const info = (created.json.run as { info: { run_id: string; start_time: number } }).info;
    expect(info.start_time).toBeLessThan(2 ** 53);
    const updated = await call("POST", "runs/update", { run_id: info.run_id, end_time: 1e30 });
    expect(updated.status).toBe(200);
    expect(updated.json.run_info).not.toHaveProperty("end_time");
  });

  it("still refuses a step that is not a number at all", async () => {
    const runId = await newRun();
    const answer = await call("POST", "runs/log-metric", {
      run_id: runId,
      key: "m",
      value: 1,
      timestamp: 1,
      step: "ten",
    });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain("'step'");
  });
});

describe("max_results errors in MLflow's words", () => {
  it("words a max_results below 1 or above the limit as MLflow 3 does", async () => {
    const zero = await call("POST", "experiments/search", { max_results: 0 });
    expect(zero.status).toBe(400);
    expect(zero.json).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    });
    const tooMany = await call("POST", "experiments/search", { max_results: 50_001 });
    expect(tooMany.json.message).toBe(
      "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
    );
    const runs = await call("POST", "runs/search", { experiment_ids: [experimentId], max_results: -1 });
    expect(runs.json.message).toBe(
      "Invalid value -1 for parameter 'max_results' supplied. It must be a positive integer",
    );
  });
});

describe("optional fields left out or null", () => {
  it("stores an empty value for a run tag, an experiment tag and a param", async () => {
    const runId = await newRun();
    for (const value of [undefined, null]) {
      const suffix = String(value);
      expect(await call("POST", "runs/set-tag", { run_id: runId, key: `t-${suffix}`, value })).toEqual({
        status: 200,
        json: {},
      });
      expect(
        (await call("POST", "runs/log-parameter", { run_id: runId, key: `p-${suffix}`, value })).status,
      ).toBe(200);
      expect(
        (
          await call("POST", "experiments/set-experiment-tag", {
            experiment_id: experimentId,
            key: `e-${suffix}`,
            value,
          })
        ).status,
      ).toBe(200);
    }
    const data = ((await call("GET", "runs/get", { run_id: runId })).json.run as { data: Json }).data;
    expect(data.params).toEqual([
      { key: "p-undefined", value: "" },
      { key: "p-null", value: "" },
    ]);
    expect(data.tags).toEqual(
      expect.arrayContaining([
        { key: "t-null", value: "" },
        { key: "t-undefined", value: "" },
      ]),
    );
    const experiment = (await call("GET", "experiments/get", { experiment_id: experimentId })).json
      .experiment as { tags: Json[] };
    expect(experiment.tags).toEqual(
      expect.arrayContaining([
        { key: "e-null", value: "" },
        { key: "e-undefined", value: "" },
      ]),
    );
  });

  it("stores an empty value for a registered-model tag and a model-version tag", async () => {
    const runId = await newRun();
    await call("POST", "registered-models/create", { name: "tag-values" });
    await call("POST", "model-versions/create", {
      name: "tag-values",
      source: `runs:/${runId}/model`,
      run_id: runId,
    });
    for (const value of [undefined, null]) {
      const key = `k-${String(value)}`;
      expect(
        (await call("POST", "registered-models/set-tag", { name: "tag-values", key, value })).status,
      ).toBe(200);
      const versionTag = { name: "tag-values", version: "1", key, value };
      expect((await call("POST", "model-versions/set-tag", versionTag)).status).toBe(200);
    }
    const empty = [
      { key: "k-null", value: "" },
      { key: "k-undefined", value: "" },
    ];
    const model = await call("GET", "registered-models/get", { name: "tag-values" });
    expect((model.json.registered_model as { tags: Json[] }).tags).toEqual(expect.arrayContaining(empty));
    const version = await call("GET", "model-versions/get", { name: "tag-values", version: "1" });
    expect((version.json.model_version as { tags: Json[] }).tags).toEqual(expect.arrayContaining(empty));
  });

  it("transitions a model version without archive_existing_versions, archiving nothing", async () => {
    const runId = await newRun();
    await call("POST", "registered-models/create", { name: "transitions" });
    for (let i = 0; i < 2; i++) {
      await call("POST", "model-versions/create", {
        name: "transitions",
        source: `runs:/${runId}/m`,
        run_id: runId,
      });
    }
    const first = await call("POST", "model-versions/transition-stage", {
      name: "transitions",
      version: "1",
      stage: "Staging",
    });
    expect(first.status).toBe(200);
    const second = await call("POST", "model-versions/transition-stage", {
      name: "transitions",
      version: "2",
      stage: "Staging",
      archive_existing_versions: null,
    });
    expect((second.json.model_version as { current_stage: string }).current_stage).toBe("Staging");
    const version1 = await call("GET", "model-versions/get", { name: "transitions", version: "1" });
    expect((version1.json.model_version as { current_stage: string }).current_stage).toBe("Staging");
  });

  it("still refuses a value that is not a string", async () => {
    const runId = await newRun();
    const answer = await call("POST", "runs/set-tag", { run_id: runId, key: "k", value: 5 });
    expect(answer.status).toBe(400);
    expect(answer.json.message).toContain("'value'");
  });
});

describe("lenientInt64 on exact whole numbers", () => {
  const field = lenientInt64(0);

  it("judges int64's bounds on the digits, not on the double nearest them", () => {
    expect(field.parse(-(2n ** 63n))).toBe(-(2 ** 63));
    expect(field.parse("-9223372036854775808")).toBe(-(2 ** 63));
    expect(field.parse(-(2n ** 63n) - 1n)).toBe(0);
    expect(field.parse("-9223372036854775809")).toBe(0);
    expect(field.parse(2n ** 63n)).toBe(0);
    expect(field.parse(9007199254740993n)).toBe(9007199254740992);
    expect(field.parse(1e19)).toBe(0);
  });
});

describe("string fields shared by the MLflow 3 routes", () => {
  it("requires text, with the type hint parseRequest puts after 'supplied:'", () => {
    expect(requiredString().parse("x")).toBe("x");
    expect(requiredString().safeParse(5).error?.issues[0]?.message).toBe(" Hint: Value was of type 'int'");
    expect(requiredString().safeParse([]).error?.issues[0]?.message).toBe(" Hint: Value was of type 'list'");
    expect(requiredString().safeParse(undefined).error?.issues[0]?.message).toBe("missing");
  });

  it("keeps a repeated field's strings up to the first element protobuf cannot read", () => {
    expect(leadingStrings(["a", "b", 3, "c"])).toEqual(["a", "b"]);
    expect(leadingStrings("a")).toEqual([]);
    expect(protoLeadingStrings().parse(undefined)).toEqual([]);
    expect(protoLeadingStrings().parse(["a", null])).toEqual(["a"]);
  });
});
