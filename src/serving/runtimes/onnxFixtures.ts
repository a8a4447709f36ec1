/**
 * Set-up shared by the ONNX runtime's tests: a small MLP written to a temp directory for each test file, inputs
 * for it, and a check of its outputs against probabilities computed straight from its weights.
 * Test-only; nothing in the product imports it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { mlpOnnx, type MlpWeights } from "../onnx/onnxModelWriter.js";
import type { Tensor } from "../tensor.js";

const SIZES = { inputs: 16, hidden: 32, outputs: 3 };
let dir: string;
let mlpPath: string;
let weights: MlpWeights;

/** Writes the test MLP into a fresh temp directory before the calling file's tests, removing it after them. */
export function useMlpDirectory(): void {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-onnx-"));
    const mlp = mlpOnnx({ ...SIZES, seed: 11 });
    weights = mlp.weights;
    mlpPath = join(dir, "mlp.onnx");
    await writeFile(mlpPath, mlp.bytes);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
}

/** The temp directory of the calling test file; set once its `beforeAll` has run. */
export const scratchDir = (): string => dir;

/** The test MLP's path; set once the calling file's `beforeAll` has run. */
export const mlpFile = (): string => mlpPath;

/** Probabilities of one row, computed in float64 straight from the weights. */
function expectedProbabilities(row: Float32Array): number[] {
  const hidden = Array.from({ length: SIZES.hidden }, (_, j) => {
    let sum = weights.b1[j]!;
    for (let i = 0; i < SIZES.inputs; i++) sum += row[i]! * weights.w1[i * SIZES.hidden + j]!;
    return Math.max(0, sum);
  });
  const logits = Array.from({ length: SIZES.outputs }, (_, k) => {
    let sum = weights.b2[k]!;
    for (let j = 0; j < SIZES.hidden; j++) sum += hidden[j]! * weights.w2[j * SIZES.outputs + k]!;
    return sum;
  });
  const exps = logits.map((logit) => Math.exp(logit - Math.max(...logits)));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export function features(rows: number, salt = 0): Tensor {
  const data = Float32Array.from({ length: rows * SIZES.inputs }, (_, i) => Math.cos(i * 0.37 + salt) * 3);
  return { name: "input", datatype: "FP32", shape: [rows, SIZES.inputs], data };
}

export function checkOutputs(input: Tensor, outputs: Tensor[]): void {
  const rows = input.shape[0]!;
  const [probabilities, label] = outputs;
  expect(probabilities?.shape).toEqual([rows, SIZES.outputs]);
  expect(label).toMatchObject({ name: "label", datatype: "INT64", shape: [rows] });
  expect(label?.data).toBeInstanceOf(BigInt64Array);
  for (let r = 0; r < rows; r++) {
    const expected = expectedProbabilities((input.data as Float32Array).subarray(r * 16, r * 16 + 16));
    expected.forEach((p, k) => expect((probabilities!.data as Float32Array)[r * 3 + k]).toBeCloseTo(p, 5));
    expect((label!.data as BigInt64Array)[r]).toBe(BigInt(expected.indexOf(Math.max(...expected))));
  }
}
