/**
 * One comparable value per answered row, for the telemetry that judges a rollout: the prediction itself when a
 * model answers one value per row (a class label, a regression value, a BYTES label), the argmax index when it
 * answers a row of scores (class probabilities). Reads the first output only; it must not copy the tensor,
 * because it runs on every inference request.
 */
import { decodeHalfFloat } from "../../serving/halfFloat.js";
import { elementCount, type Tensor } from "../../serving/tensor.js";

function numberAt(t: Tensor, index: number): number {
  const data = t.data;
  if (Array.isArray(data)) return Number(data[index]);
  const raw = data[index] as number | bigint;
  if (typeof raw === "bigint") return Number(raw);
  if (t.datatype === "FP16") return decodeHalfFloat(raw);
  return raw;
}

/** Index of the largest score in a row; NaN scores never win, a row of only NaN answers NaN. */
function argmax(t: Tensor, start: number, width: number): number {
  let best = Number.NaN;
  let bestIndex = -1;
  for (let i = 0; i < width; i++) {
    const value = numberAt(t, start + i);
    if (!Number.isNaN(value) && (bestIndex < 0 || value > best)) {
      best = value;
      bestIndex = i;
    }
  }
  return bestIndex < 0 ? Number.NaN : bestIndex;
}

/**
 * `predictionValues([{datatype: "FP32", shape: [2, 3], data: [.1, .7, .2, .5, .3, .2]}])` is `[1, 0]`.
 * Width 1: the value (BYTES as string, BOOL as 0/1); width > 1: the argmax index (BYTES rows have no order, so
 * their first element stands for the row). A scalar output is one row.
 */
export function predictionValues(outputs: readonly Tensor[]): (number | string)[] {
  const first = outputs[0];
  if (first === undefined) return [];
  const rows = first.shape.length === 0 ? 1 : (first.shape[0] as number);
  const width = first.shape.length === 0 ? 1 : elementCount(first.shape.slice(1));
  if (rows === 0 || width === 0) return [];
  const values = new Array<number | string>(rows);
  const strings = Array.isArray(first.data) ? first.data : undefined;
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    if (strings !== undefined) values[row] = strings[start] as string;
    else values[row] = width === 1 ? numberAt(first, start) : argmax(first, start, width);
  }
  return values;
}
