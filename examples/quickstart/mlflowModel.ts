/**
 * A trained MlpState written as the MLflow model directory FlowOps registers and serves: `model.onnx` (the
 * standardisation folded in, so it takes raw features), `MLmodel` (onnx flavor, a column signature with one
 * float input per feature) and `weights.json` (the state itself, what a warm start continues from).
 * Shared by the quickstart's train.ts and the pseudo-labeling example's teacher and student stages; train.ts
 * itself cannot be imported, it runs its stage on import.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import YAML from "yaml";
import { mlpOnnx } from "../../src/serving/onnx/onnxModelWriter.js";
import { exportWeights, type MlpState } from "./mlpClassifier.js";

function mlmodel(dir: string, state: MlpState): string {
  const inputs = state.features.map((name) => ({ type: "float", name }));
  return YAML.stringify({
    artifact_path: basename(dir),
    flavors: { onnx: { data: "model.onnx", onnx_version: "1.17.0" } },
    signature: {
      inputs: JSON.stringify(inputs),
      outputs: JSON.stringify([
        {
          type: "tensor",
          "tensor-spec": { dtype: "float32", shape: [-1, state.classes] },
          name: "probabilities",
        },
      ]),
    },
    metadata: { hidden_units: state.hidden },
  });
}

/** Writes `dir` (created if missing) as an MLflow model directory of `state`. */
export async function writeMlflowModel(dir: string, state: MlpState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { bytes } = mlpOnnx({
    inputs: state.features.length,
    hidden: state.hidden,
    outputs: state.classes,
    weights: exportWeights(state),
    inputName: "features",
  });
  await writeFile(join(dir, "model.onnx"), bytes);
  await writeFile(join(dir, "MLmodel"), mlmodel(dir, state));
  await writeFile(join(dir, "weights.json"), JSON.stringify(state));
}
