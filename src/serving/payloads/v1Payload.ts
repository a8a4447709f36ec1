/**
 * KServe V1 (TF-Serving REST) payloads for `POST /v1/models/{name}:predict`: `{"instances": [...]}` (rows or
 * {name: value} objects) or `{"inputs": ...}` (columnar), answered with `{"predictions": [...]}`.
 */
import type { Tensor } from "../tensor.js";
import { answerJson } from "./answerJson.js";
import { invalidInput, isJsonObject } from "./invalidInput.js";
import { checkJsonDepth } from "./jsonDepth.js";
import {
  elementJson,
  nestedJson,
  rowJson,
  type FlatJson,
  type FloatLeaves,
  type NestedJson,
} from "./nestedJson.js";
import type { FloatLiterals } from "./jsonFloatLiterals.js";
import type { PredictRequest } from "./predictRequest.js";
import { inputsInput, instancesInput } from "./tfServingInput.js";

/** `floats`: where the body's text wrote whole numbers as floats (`1.0`), typed as KServe's np.array types them. */
export function v1Request(body: unknown, floats?: FloatLiterals): PredictRequest {
  checkJsonDepth(body, "The request body");
  if (!isJsonObject(body))
    throw invalidInput("The request body must be a JSON object with 'instances' or 'inputs'.");
  const hasInstances = body.instances !== undefined;
  const hasInputs = body.inputs !== undefined;
  if (hasInstances === hasInputs) {
    throw invalidInput(
      `One of "instances" and "inputs" must be specified (not both or any other keys). ` +
        `Received: [${Object.keys(body)
          .map((key) => `'${key}'`)
          .join(", ")}]`,
    );
  }
  if (hasInstances && !Array.isArray(body.instances)) throw invalidInput("'instances' must be a list.");
  const input = hasInstances ? instancesInput(body.instances, floats) : inputsInput(body.inputs, floats);
  if (body.parameters !== undefined && isJsonObject(body.parameters))
    return { input, params: body.parameters };
  return { input };
}

/**
 * One output: its rows as nested lists. Several outputs with the same number of rows: one object per row
 * `{name: value}` (TF-Serving's row format); otherwise `{name: nested lists}`. With `floats: "marked"`, for
 * v1ResponseBody, float elements stay marked as floats.
 */
export function v1Response(outputs: Tensor[], floats: FloatLeaves = "numbers"): { predictions: unknown } {
  if (outputs.length === 1) return { predictions: nestedJson(outputs[0] as Tensor, floats) };
  const rows = outputs[0]?.shape[0];
  if (rows !== undefined && outputs.every((t) => t.shape.length > 0 && t.shape[0] === rows)) {
    const values = outputs.map((t) => elementJson(t, floats));
    const predictions: Record<string, NestedJson>[] = [];
    for (let r = 0; r < rows; r++) {
      const prediction: Record<string, NestedJson> = {};
      outputs.forEach((t, i) => (prediction[t.name] = rowJson(t, values[i] as FlatJson, r)));
      predictions.push(prediction);
    }
    return { predictions };
  }
  const byName: Record<string, NestedJson> = {};
  for (const t of outputs) byName[t.name] = nestedJson(t, floats);
  return { predictions: byName };
}

/**
 * The `:predict` response bytes as KServe's Python server writes them (orjson of `tolist()`): float elements
 * with a point or an exponent (`7.0`, `1e+16`, `1e-6`), non-finite ones as null. `answer` is v1Response's with
 * `floats: "marked"`.
 */
export function v1ResponseBody(answer: { predictions: unknown }): Buffer {
  return answerJson(answer, "orjson");
}
