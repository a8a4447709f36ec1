/**
 * The Python interpreter with mlflow that the tests driving the real Python worker use: the compatibility
 * venv .ci/run creates (.venv, mlflow 3.x), else the mlflow 2.x one, else the serving benchmark's venv.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const MLFLOW_PYTHON: string | undefined = [
  ".venv/bin/python",
  "tests/compat/.venv/mlflow2/bin/python",
  "bench/serving/.venv/bin/python",
]
  .map((path) => resolve(path))
  .find((path) => existsSync(path));

/** CI (.ci/run) sets it: there the venv exists, and a missing one must fail these cases, not skip them. */
export const MLFLOW_PYTHON_REQUIRED = process.env.FLOWOPS_REQUIRE_MLFLOW_PYTHON === "1";
