/**
 * A one-hidden-layer MLP classifier trained with mini-batch SGD on standardised features, small enough to
 * train in a second on a few thousand rows. The exported ONNX model takes raw features: the standardisation
 * is folded into the first layer, so serving needs no preprocessing step.
 */
import { mulberry32 } from "../../src/seededRandom.js";
import type { MlpWeights } from "../../src/serving/onnx/onnxModelWriter.js";

/** Weights on standardised inputs, with the standardisation itself; what a warm start continues from. */
export interface MlpState {
  features: string[];
  mean: number[];
  std: number[];
  hidden: number;
  classes: number;
  w1: number[]; // [features, hidden]
  b1: number[];
  w2: number[]; // [hidden, classes]
  b2: number[];
}

export interface SgdSettings {
  learningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

/** A seeded stream: the same seed trains the same model. */
export const seededRandom = mulberry32;

/** Fresh weights (Glorot uniform) with the standardisation measured on `rows`. */
export function initialState(
  features: string[],
  rows: readonly number[][],
  hidden: number,
  classes: number,
  seed: number,
): MlpState {
  const k = features.length;
  const mean = features.map((_, j) => rows.reduce((sum, row) => sum + (row[j] ?? 0), 0) / rows.length);
  const std = features.map((_, j) => {
    const m = mean[j] ?? 0;
    const variance = rows.reduce((sum, row) => sum + ((row[j] ?? 0) - m) ** 2, 0) / rows.length;
    return Math.sqrt(variance) || 1;
  });
  const next = seededRandom(seed);
  const uniform = (count: number, limit: number) =>
    Array.from({ length: count }, () => (next() * 2 - 1) * limit);
  return {
    features,
    mean,
    std,
    hidden,
    classes,
    w1: uniform(k * hidden, Math.sqrt(6 / (k + hidden))),
    b1: new Array<number>(hidden).fill(0),
    w2: uniform(hidden * classes, Math.sqrt(6 / (hidden + classes))),
    b2: new Array<number>(classes).fill(0),
  };
}

interface Activations {
  hidden: Float64Array;
  probabilities: Float64Array;
}

function forward(state: MlpState, row: readonly number[]): Activations {
  const k = state.features.length;
  const hidden = new Float64Array(state.hidden);
  for (let h = 0; h < state.hidden; h++) {
    let sum = state.b1[h] ?? 0;
    for (let j = 0; j < k; j++) {
      sum +=
        (((row[j] ?? 0) - (state.mean[j] ?? 0)) / (state.std[j] ?? 1)) *
        (state.w1[j * state.hidden + h] ?? 0);
    }
    hidden[h] = sum > 0 ? sum : 0;
  }
  const logits = new Float64Array(state.classes);
  for (let c = 0; c < state.classes; c++) {
    let sum = state.b2[c] ?? 0;
    for (let h = 0; h < state.hidden; h++) sum += (hidden[h] ?? 0) * (state.w2[h * state.classes + c] ?? 0);
    logits[c] = sum;
  }
  const max = Math.max(...logits);
  let total = 0;
  for (let c = 0; c < state.classes; c++) {
    logits[c] = Math.exp((logits[c] ?? 0) - max);
    total += logits[c] ?? 0;
  }
  for (let c = 0; c < state.classes; c++) logits[c] = (logits[c] ?? 0) / total;
  return { hidden, probabilities: logits };
}

export function predictProbabilities(state: MlpState, row: readonly number[]): Float64Array {
  return forward(state, row).probabilities;
}

/** Trains in place; returns the mean cross-entropy of each epoch. */
export function trainSgd(
  state: MlpState,
  rows: readonly number[][],
  labels: readonly number[],
  settings: SgdSettings,
): number[] {
  const k = state.features.length;
  const { hidden: H, classes: C } = state;
  const order = rows.map((_, i) => i);
  const next = seededRandom(settings.seed);
  const losses: number[] = [];
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let loss = 0;
    for (let start = 0; start < order.length; start += settings.batchSize) {
      const batch = order.slice(start, start + settings.batchSize);
      const g1 = new Float64Array(k * H);
      const gb1 = new Float64Array(H);
      const g2 = new Float64Array(H * C);
      const gb2 = new Float64Array(C);
      for (const index of batch) {
        const row = rows[index] as number[];
        const label = labels[index] as number;
        const { hidden, probabilities } = forward(state, row);
        loss -= Math.log(Math.max(probabilities[label] ?? 0, 1e-12));
        const dLogits = Array.from(probabilities, (p, c) => p - (c === label ? 1 : 0));
        for (let h = 0; h < H; h++) {
          let dHidden = 0;
          for (let c = 0; c < C; c++) {
            g2[h * C + c] = (g2[h * C + c] ?? 0) + (hidden[h] ?? 0) * (dLogits[c] ?? 0);
            dHidden += (state.w2[h * C + c] ?? 0) * (dLogits[c] ?? 0);
          }
          if ((hidden[h] ?? 0) <= 0) continue;
          gb1[h] = (gb1[h] ?? 0) + dHidden;
          for (let j = 0; j < k; j++) {
            const x = ((row[j] ?? 0) - (state.mean[j] ?? 0)) / (state.std[j] ?? 1);
            g1[j * H + h] = (g1[j * H + h] ?? 0) + x * dHidden;
          }
        }
        for (let c = 0; c < C; c++) gb2[c] = (gb2[c] ?? 0) + (dLogits[c] ?? 0);
      }
      const step = settings.learningRate / batch.length;
      g1.forEach((g, i) => (state.w1[i] = (state.w1[i] ?? 0) - step * g));
      gb1.forEach((g, i) => (state.b1[i] = (state.b1[i] ?? 0) - step * g));
      g2.forEach((g, i) => (state.w2[i] = (state.w2[i] ?? 0) - step * g));
      gb2.forEach((g, i) => (state.b2[i] = (state.b2[i] ?? 0) - step * g));
    }
    losses.push(loss / order.length);
  }
  return losses;
}

/** The weights mlpOnnx takes, for raw (unstandardised) inputs: w1' = w1 / std, b1' = b1 - (mean / std)·w1. */
export function exportWeights(state: MlpState): MlpWeights {
  const k = state.features.length;
  const H = state.hidden;
  const w1 = new Float32Array(k * H);
  const b1 = Float32Array.from(state.b1);
  for (let j = 0; j < k; j++) {
    const std = state.std[j] ?? 1;
    const mean = state.mean[j] ?? 0;
    for (let h = 0; h < H; h++) {
      const w = (state.w1[j * H + h] ?? 0) / std;
      w1[j * H + h] = w;
      b1[h] = (b1[h] ?? 0) - mean * w;
    }
  }
  return { w1, b1, w2: Float32Array.from(state.w2), b2: Float32Array.from(state.b2) };
}
