/**
 * The models the request fuzz test serves: a real ONNX MLP with an MLflow column signature (FP32 [-1, 4]), a
 * real ONNX model of two inputs (INT64 `ids` and FP32 `w`, both [-1]) without a signature, and an in-process
 * model that declares no inputs at all (as a Python model without a signature does), which echoes its first
 * input so that any tensor the protocols build reaches an answer. Test-only; nothing in the product imports it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadModel } from "../../serving/loadModel.js";
import { encodeOnnxModel, mlpOnnx } from "../../serving/onnx/onnxModelWriter.js";
import type { LoadedModel } from "../../serving/runtime.js";
import type { Tensor } from "../../serving/tensor.js";

export const MLP_COLUMNS = ["a", "b", "c", "d"] as const;

const MLP_MLMODEL = [
  "flavors:",
  "  onnx:",
  "    data: model.onnx",
  "    onnx_version: 1.17.0",
  "signature:",
  `  inputs: '[${MLP_COLUMNS.map((name) => `{"type": "float", "name": "${name}", "required": true}`).join(", ")}]'`,
  "",
].join("\n");

/** y = float(ids) * w and ids_out = ids, over [-1] inputs. */
function pairModelBytes(): Uint8Array {
  return encodeOnnxModel({
    name: "pair",
    inputs: [
      { name: "ids", datatype: "INT64", shape: [-1] },
      { name: "w", datatype: "FP32", shape: [-1] },
    ],
    outputs: [
      { name: "y", datatype: "FP32", shape: [-1] },
      { name: "ids_out", datatype: "INT64", shape: [-1] },
    ],
    nodes: [
      { opType: "Cast", inputs: ["ids"], outputs: ["ids_float"], attributes: { to: { int: 1 } } },
      { opType: "Mul", inputs: ["ids_float", "w"], outputs: ["y"] },
      { opType: "Identity", inputs: ["ids"], outputs: ["ids_out"] },
    ],
  });
}

/** A model that declares no inputs or outputs and answers its first input back as `echo`. */
export function echoModel(name: string): LoadedModel {
  return {
    name,
    version: "1",
    platform: "mlflow_pyfunc",
    inputs: [],
    outputs: [],
    ready: () => true,
    infer: async (inputs: Tensor[]) => {
      const first = inputs[0];
      if (first === undefined) return [];
      return [{ name: "echo", datatype: first.datatype, shape: first.shape, data: first.data }];
    },
    close: async () => undefined,
  };
}

export interface FuzzModels {
  /** Loads a fresh copy of each ONNX model: a model set closes the models it serves, so none is shared. */
  mlp(): Promise<LoadedModel>;
  pair(): Promise<LoadedModel>;
}

/** Writes the ONNX models under `dir`; each call of `mlp`/`pair` loads one on the event loop (no workers). */
export async function writeFuzzModels(dir: string): Promise<FuzzModels> {
  const mlpDir = join(dir, "mlp");
  const pairDir = join(dir, "pair");
  await mkdir(mlpDir, { recursive: true });
  await mkdir(pairDir, { recursive: true });
  await writeFile(join(mlpDir, "model.onnx"), mlpOnnx({ inputs: 4, hidden: 8, outputs: 3, seed: 5 }).bytes);
  await writeFile(join(mlpDir, "MLmodel"), MLP_MLMODEL);
  await writeFile(join(pairDir, "model.onnx"), pairModelBytes());
  const load = (path: string, name: string): Promise<LoadedModel> =>
    loadModel(path, { name, executionProviders: "cpu", execution: "inline", log: () => undefined });
  return { mlp: () => load(mlpDir, "mlp"), pair: () => load(pairDir, "pair") };
}
