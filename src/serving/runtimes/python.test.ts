import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import type { Tensor } from "../tensor.js";
import {
  loadPythonModel,
  scoringRequestTimeoutMs,
  type PythonLoadedModel,
  type PythonModelOptions,
} from "./python.js";

// The compat venvs that .ci/run creates have the real mlflow + scikit-learn: mlflow 3 in ./.venv, 2.x beside.
import { MLFLOW_PYTHON } from "../../../test/support/mlflowPython.js";

const PY = MLFLOW_PYTHON;
/** CI (.ci/run) requires the venv: there a missing one fails these cases instead of skipping them. */
const HAS_PY = PY !== undefined || process.env.FLOWOPS_REQUIRE_MLFLOW_PYTHON === "1";
const NO_MLFLOW_PY = "/usr/bin/python3";
const TIMEOUT = 120_000;

/** Saves three models with the real mlflow and writes sklearn's own predictions for the test rows. */
const SAVE_MODELS = `
import json, sys, time
import numpy as np, pandas as pd
import mlflow.pyfunc, mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression

out = sys.argv[1]
rng = np.random.default_rng(7)
X = pd.DataFrame({"alpha": rng.normal(size=60), "beta": rng.normal(size=60), "gamma": rng.normal(size=60)})
y = (X["alpha"] + 0.5 * X["beta"] - X["gamma"] > 0).astype("int64")
model = LogisticRegression().fit(X, y)
mlflow.sklearn.save_model(model, out + "/frame", signature=infer_signature(X, model.predict(X)))
Xn = X.to_numpy()
model_np = LogisticRegression().fit(Xn, y.to_numpy())
mlflow.sklearn.save_model(model_np, out + "/array", signature=infer_signature(Xn, model_np.predict(Xn)))

class Sleepy(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        time.sleep(float(model_input["seconds"].iloc[0]))
        return model_input["seconds"] * 2

sig = infer_signature(pd.DataFrame({"seconds": [0.5]}), pd.Series([1.0]))
mlflow.pyfunc.save_model(out + "/sleepy", python_model=Sleepy(), signature=sig)

rows = X.head(8)
json.dump({"rows": rows.values.tolist(), "labels": model.predict(rows).tolist(),
           "labels_np": model_np.predict(rows.to_numpy()).tolist()}, open(out + "/expected.json", "w"))
`;

interface Expected {
  rows: number[][];
  labels: number[];
  labels_np: number[];
}

function column(name: string, values: number[]): Tensor {
  return { name, datatype: "FP64", shape: [values.length], data: Float64Array.from(values) };
}

function frameInputs(rows: number[][]): Tensor[] {
  return ["alpha", "beta", "gamma"].map((name, j) =>
    column(
      name,
      rows.map((row) => row[j] as number),
    ),
  );
}

async function waitUntilRestarted(model: PythonLoadedModel, oldPid: number): Promise<void> {
  for (;;) {
    const pids = model.workerPids();
    if (pids.length > 0 && !pids.includes(oldPid)) return;
    await new Promise((done) => setTimeout(done, 100));
  }
}

function rejection(promise: Promise<unknown>): Promise<FlowOpsError> {
  return promise.then(
    () => {
      throw new Error("expected the promise to reject");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(FlowOpsError);
      return error as FlowOpsError;
    },
  );
}

describe("scoringRequestTimeoutMs", () => {
  it("honours MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT (seconds), 60 s by default as in MLflow", () => {
    expect(scoringRequestTimeoutMs({})).toBe(60_000);
    expect(scoringRequestTimeoutMs({ MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT: "600" })).toBe(600_000);
  });

  it("names the variable when its value is not a positive whole number", () => {
    expect(() => scoringRequestTimeoutMs({ MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT: "1m" })).toThrow(
      /MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT must be a positive whole number of seconds, got '1m'/,
    );
  });
});

describe("loadPythonModel", () => {
  let dir = "";
  let expected: Expected;
  const opened: PythonLoadedModel[] = [];
  const workerLog: string[] = [];
  const load = async (modelDir: string, options: Partial<PythonModelOptions>): Promise<PythonLoadedModel> => {
    const model = await loadPythonModel(modelDir, {
      name: "m",
      version: "1",
      python: PY ?? "python3",
      log: (line) => workerLog.push(line),
      ...options,
    });
    opened.push(model);
    return model;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-pyfunc-"));
    if (PY === undefined) return;
    execFileSync(PY, ["-c", SAVE_MODELS, dir], { stdio: ["ignore", "ignore", "pipe"] });
    expected = JSON.parse(await readFile(join(dir, "expected.json"), "utf8")) as Expected;
  }, TIMEOUT);

  afterAll(async () => {
    await Promise.all(opened.map((model) => model.close()));
    await rm(dir, { recursive: true, force: true });
  });

  describe.skipIf(!HAS_PY)("with a scikit-learn model saved with a column signature", () => {
    let model: PythonLoadedModel;
    beforeAll(async () => {
      model = await load(join(dir, "frame"), { name: "classifier", workers: 2 });
    }, TIMEOUT);

    it("describes its inputs from the signature", () => {
      expect(model.ready()).toBe(true);
      expect(model.platform).toBe("mlflow_pyfunc");
      expect(model.signature?.kind).toBe("columns");
      expect(model.inputs.map((spec) => [spec.name, spec.datatype])).toEqual([
        ["alpha", "FP64"],
        ["beta", "FP64"],
        ["gamma", "FP64"],
      ]);
      expect(model.workerPids()).toHaveLength(2);
    });

    it("predicts what scikit-learn predicts, on every worker", async () => {
      // Idle workers take requests in turn, so two requests reach both processes.
      for (let round = 0; round < 2; round++) {
        const outputs = await model.infer(frameInputs(expected.rows));
        expect(outputs.map((output) => [output.name, output.datatype, output.shape])).toEqual([
          ["predictions", "INT64", [expected.rows.length]],
        ]);
        expect(Array.from(outputs[0]?.data as BigInt64Array, Number)).toEqual(expected.labels);
      }
    });

    it("reports a model-side input error as INVALID_PARAMETER_VALUE and keeps serving", async () => {
      const error = await rejection(model.infer([column("alpha", [1, 2])]));
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
      expect(error.message).toContain("Model is missing inputs ['beta', 'gamma']");
      const [predictions] = await model.infer(frameInputs(expected.rows));
      expect(Array.from(predictions?.data as BigInt64Array, Number)).toEqual(expected.labels);
    });

    it("returns only the outputs asked for and names an unknown one", async () => {
      const outputs = await model.infer(frameInputs(expected.rows), { outputs: ["predictions"] });
      expect(outputs.map((output) => output.name)).toEqual(["predictions"]);
      const error = await rejection(model.infer(frameInputs(expected.rows), { outputs: ["proba"] }));
      expect(error.message).toBe("the model has no output 'proba'; its outputs are 'predictions'");
    });
  });

  it.skipIf(!HAS_PY)(
    "passes a tensor input to a model saved with a tensor signature as one numpy array",
    async () => {
      const model = await load(join(dir, "array"), {});
      expect(model.signature?.kind).toBe("tensors");
      expect(model.inputs).toEqual([{ name: "input", datatype: "FP64", shape: [-1, 3] }]);
      const input: Tensor = {
        name: "input",
        datatype: "FP64",
        shape: [expected.rows.length, 3],
        data: Float64Array.from(expected.rows.flat()),
      };
      const [predictions] = await model.infer([input]);
      expect(Array.from(predictions?.data as BigInt64Array, Number)).toEqual(expected.labels_np);
    },
    TIMEOUT,
  );

  describe.skipIf(!HAS_PY)("supervision", () => {
    let model: PythonLoadedModel;
    beforeAll(async () => {
      model = await load(join(dir, "sleepy"), {
        requestTimeoutMs: 5000,
        restartBackoff: { initialMs: 50, maxMs: 1000 },
      });
    }, TIMEOUT);

    it(
      "rejects the request of a killed worker with TEMPORARILY_UNAVAILABLE and serves again after the restart",
      async () => {
        const [pid] = model.workerPids();
        const pending = model.infer([column("seconds", [30])]);
        process.kill(pid as number, "SIGKILL");
        const error = await rejection(pending);
        expect(error.code).toBe("TEMPORARILY_UNAVAILABLE");
        expect(error.httpStatus).toBe(503);
        await waitUntilRestarted(model, pid as number);
        expect(workerLog).toContain(`python worker ${String(pid)} was killed by SIGKILL; restarting it`);
        const [doubled] = await model.infer([column("seconds", [0.01])]);
        expect(Array.from(doubled?.data as Float64Array)).toEqual([0.02]);
      },
      TIMEOUT,
    );

    it(
      "regression: lets a request run without a limit when the timeout is Infinity (batch predict)",
      async () => {
        const unlimited = await load(join(dir, "sleepy"), { requestTimeoutMs: Infinity });
        const [doubled] = await unlimited.infer([column("seconds", [0.2])]);
        expect(Array.from(doubled?.data as Float64Array)).toEqual([0.4]);
      },
      TIMEOUT,
    );

    it(
      "stops a request that runs past the timeout and restarts the worker it was stuck in",
      async () => {
        const [pid] = model.workerPids();
        const error = await rejection(model.infer([column("seconds", [30])]));
        expect(error.code).toBe("DEADLINE_EXCEEDED");
        await waitUntilRestarted(model, pid as number);
        const [doubled] = await model.infer([column("seconds", [0])]);
        expect(Array.from(doubled?.data as Float64Array)).toEqual([0]);
      },
      TIMEOUT,
    );

    it(
      "regression: starts a request queued behind a busy worker when the worker takes it up, not when it is sent",
      async () => {
        const sent = performance.now();
        const startedAfterMs: number[] = [];
        const onStart = (): number => startedAfterMs.push(performance.now() - sent);
        await Promise.all([
          model.infer([column("seconds", [0.4])], { onStart }),
          model.infer([column("seconds", [0.4])], { onStart }),
        ]);
        expect(startedAfterMs).toHaveLength(2);
        expect(startedAfterMs[0]).toBeLessThan(100);
        expect(startedAfterMs[1]).toBeGreaterThanOrEqual(400);
      },
      TIMEOUT,
    );
  });

  it.skipIf(!HAS_PY || !existsSync(NO_MLFLOW_PY))(
    "tells to pip install mlflow and the model's requirements when the interpreter lacks mlflow",
    async () => {
      const error = await rejection(load(join(dir, "frame"), { python: NO_MLFLOW_PY }));
      expect(error.message).toContain("pip install mlflow");
      expect(error.message).toContain("scikit-learn");
      expect(error.message).toContain(NO_MLFLOW_PY);
    },
    TIMEOUT,
  );

  it.skipIf(!HAS_PY)(
    "fails with mlflow's own message when the directory holds no model",
    async () => {
      const error = await rejection(load(dir, {}));
      expect(error.message).toContain(`loading the MLflow model in ${dir} failed`);
      expect(error.message).toContain('Could not find an "MLmodel" configuration file');
    },
    TIMEOUT,
  );

  it("tells to install Python 3 or set FLOWOPS_PYTHON when the interpreter does not exist", async () => {
    const python = join(dir, "no-such-python");
    const error = await rejection(load(dir, { python }));
    expect(error.message).toContain(python);
    expect(error.message).toContain("install Python 3 or set FLOWOPS_PYTHON");
  });
});
