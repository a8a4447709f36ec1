/**
 * Why a Python worker could not start, as errors that say what to do: which interpreter to install or point
 * FLOWOPS_PYTHON at, and which packages to `pip install` (mlflow plus the model's own requirements.txt).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlowOpsError } from "../../errors.js";
import type { WorkerErrorInfo } from "./pythonWire.js";

/** The interpreter could not be run at all (spawn ENOENT/EACCES). */
export function pythonMissingError(python: string, cause: unknown): FlowOpsError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new FlowOpsError(
    "INVALID_STATE",
    `cannot run Python interpreter '${python}' (${reason}): install Python 3 or set FLOWOPS_PYTHON to a Python 3 ` +
      "interpreter that has mlflow installed",
    { cause },
  );
}

/**
 * The packages a model declares in `<modelDir>/requirements.txt` (MLflow writes one beside MLmodel), without
 * comments, options (`-r`, `--index-url`) and blank lines; empty when there is no such file.
 */
export function modelRequirements(modelDir: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(modelDir, "requirements.txt"), "utf8");
  } catch {
    return [];
  }
  const packages: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#") || line.startsWith("-")) continue;
    packages.push(line);
  }
  return packages;
}

function pipInstallLine(packages: readonly string[]): string {
  const quoted = packages.map((name) => (/^[\w.=-]+$/.test(name) ? name : `'${name}'`));
  return `pip install ${quoted.join(" ")}`;
}

/** The worker reported that it could not import mlflow, or could not load the model. */
export function workerStartupError(
  stage: "import_mlflow" | "load_model",
  error: WorkerErrorInfo,
  context: { python: string; modelDir: string },
): FlowOpsError {
  const requirements = modelRequirements(context.modelDir);
  if (stage === "import_mlflow") {
    // mlflow first, pinned as the model was saved with when its requirements say so.
    const isMlflow = (name: string): boolean => /^mlflow(?![\w-])/i.test(name);
    const packages = [
      requirements.find(isMlflow) ?? "mlflow",
      ...requirements.filter((name) => !isMlflow(name)),
    ];
    return new FlowOpsError(
      "INVALID_STATE",
      `Python interpreter '${context.python}' cannot import mlflow (${error.type}: ${error.message}); run ` +
        `\`${context.python} -m ${pipInstallLine(packages)}\`, or set FLOWOPS_PYTHON to an interpreter that has them`,
    );
  }
  if (error.missing_module !== undefined) {
    const packages = requirements.length > 0 ? requirements : [error.missing_module];
    const from = requirements.length > 0 ? ` (from ${join(context.modelDir, "requirements.txt")})` : "";
    return new FlowOpsError(
      "INVALID_STATE",
      `loading the MLflow model in ${context.modelDir} failed: ${error.type}: ${error.message}; install the ` +
        `model's packages${from} with \`${context.python} -m ${pipInstallLine(packages)}\``,
    );
  }
  return new FlowOpsError(
    "INVALID_STATE",
    `loading the MLflow model in ${context.modelDir} failed: ${error.type}: ${error.message}`,
  );
}

/** The worker exited before it said it was ready or why not (a crash in the interpreter itself). */
export function workerExitedError(
  python: string,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  stderrTail: string,
): FlowOpsError {
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
  const tail = stderrTail.trim();
  return new FlowOpsError(
    "INVALID_STATE",
    `the Python model worker (${python}) ${how} before it was ready` +
      (tail !== "" ? `; its last output:\n${tail}` : ""),
  );
}
