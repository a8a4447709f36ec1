/**
 * Test fixture: an MLflow Python model without a signature that answers, per row, each column it is given as
 * 'name:dtype:repr', saved and loaded with the venv's mlflow (test/support/mlflowPython.ts) for one describe
 * block. Tests compare its answers through `flowops predict` with `model.predict` on what pandas reads from the
 * same file. Test-only; nothing in the product imports it.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll } from "vitest";

import { batchPredict } from "../../src/serving/batchPredict.js";
import { loadPythonModel, type PythonLoadedModel } from "../../src/serving/runtimes/python.js";
import { openTable } from "../../src/tables/openTable.js";
import { MLFLOW_PYTHON, MLFLOW_PYTHON_REQUIRED } from "./mlflowPython.js";

/** Long enough for the venv to import mlflow and pandas, and save or load a model. */
export const PYTHON_TIMEOUT_MS = 120_000;

/** True where the describe blocks that need the venv's mlflow are to be skipped: no venv, and CI does not require it. */
export const WITHOUT_MLFLOW_PYTHON = MLFLOW_PYTHON === undefined && !MLFLOW_PYTHON_REQUIRED;

const SAVE_MODEL = `
import sys
import mlflow.pyfunc

class RowCells(mlflow.pyfunc.PythonModel):
    """Per row, each column as 'name:dtype:repr': tells str '1.5' from float 1.5, None from NaN, int from float,
    float32 from float64 and int8 from int64."""
    def predict(self, context, model_input, params=None):
        columns = list(model_input.columns)
        return [
            " ".join(f"{c}:{model_input[c].dtype}:{model_input[c].iloc[r]!r}" for c in columns)
            for r in range(len(model_input))
        ]

mlflow.pyfunc.save_model(sys.argv[1], python_model=RowCells())
`;

/** What a Python user gets: the file read by pandas, handed to the loaded model, one answer per row. */
const PANDAS_PREDICT = `
import json, sys
import mlflow.pyfunc, pandas as pd
model = mlflow.pyfunc.load_model(sys.argv[1])
path = sys.argv[2]
frame = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_json(path, lines=True)
sys.__stdout__.write(json.dumps([str(answer) for answer in model.predict(frame)]))
`;

export interface RowCellsPythonModel {
  /** The temp folder the model was saved in, for the tests' input files; removed after the block. */
  dir(): string;
  /** Runs a Python script with the venv's interpreter, e.g. one that writes a file with pyarrow. */
  python(script: string, ...args: string[]): void;
  /** The model's answers through `flowops predict` of the table at `input`, in batches of `batchSize` rows. */
  flowopsAnswers(input: string, batchSize: number): Promise<string[]>;
  /** The model's answers to `pandas.read_parquet` (a .parquet file) or `pandas.read_json(lines=True)` of `input`. */
  pandasAnswers(input: string): string[];
}

/**
 * Saves and loads the model in a `beforeAll` of the calling describe block (which fails where the venv is
 * missing although required) and closes it and removes its temp folder, named from `prefix`, in an `afterAll`.
 */
export function rowCellsPythonModel(prefix: string): RowCellsPythonModel {
  let dir = "";
  let model: PythonLoadedModel | undefined;
  const python = (): string => {
    if (MLFLOW_PYTHON === undefined)
      throw new Error("FLOWOPS_REQUIRE_MLFLOW_PYTHON=1 but no .venv/bin/python with mlflow");
    return MLFLOW_PYTHON;
  };
  const modelDir = (): string => join(dir, "model");

  beforeAll(async () => {
    const interpreter = python();
    dir = await mkdtemp(join(tmpdir(), prefix));
    execFileSync(interpreter, ["-c", SAVE_MODEL, modelDir()], { stdio: ["ignore", "ignore", "pipe"] });
    model = await loadPythonModel(modelDir(), {
      name: "cells",
      version: "1",
      python: interpreter,
      log: () => {},
    });
  }, PYTHON_TIMEOUT_MS);
  afterAll(async () => {
    await model?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  return {
    dir: () => dir,
    python(script, ...args) {
      execFileSync(python(), ["-c", script, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    },
    async flowopsAnswers(input, batchSize) {
      if (model === undefined) throw new Error("the row cells model was not loaded");
      const output = `${input}.out.jsonl`;
      await batchPredict(model, { input: openTable(input), output, batchSize });
      const lines = (await readFile(output, "utf8")).trimEnd().split("\n");
      return lines.map((line) => (JSON.parse(line) as { predictions: string }).predictions);
    },
    pandasAnswers(input) {
      const answers = execFileSync(python(), ["-c", PANDAS_PREDICT, modelDir(), input], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      return JSON.parse(answers.toString("utf8")) as string[];
    },
  };
}
