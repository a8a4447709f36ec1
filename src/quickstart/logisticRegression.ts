/**
 * The quickstart's example training job: a logistic regression trained by batch gradient descent on a
 * seeded synthetic two-class dataset. Small and dependency-free so `flowops quickstart` works on a fresh
 * machine; real training code would be Python using the mlflow client, which the server serves the same way.
 */

export interface Dataset {
  features: number[][];
  labels: number[];
}

export interface TrainingParams {
  learningRate: number;
  epochs: number;
  samples: number;
  seed: number;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
}

export interface TrainedModel {
  weights: number[];
  bias: number;
}

/** A seeded linear-congruential generator, so every quickstart run logs the same numbers. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Two Gaussian blobs in two dimensions, labelled 0 and 1 (Box-Muller from the seeded generator). */
export function makeBlobs(samples: number, seed: number): Dataset {
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const features: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < samples; i++) {
    const label = i % 2;
    const centre = label === 1 ? 1.5 : -1.5;
    features.push([centre + gaussian(), centre + gaussian()]);
    labels.push(label);
  }
  return { features, labels };
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function predictProbability(model: TrainedModel, row: readonly number[]): number {
  return sigmoid(row.reduce((sum, x, j) => sum + x * (model.weights[j] ?? 0), model.bias));
}

export function evaluate(model: TrainedModel, data: Dataset): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  data.features.forEach((row, i) => {
    const p = Math.min(Math.max(predictProbability(model, row), 1e-15), 1 - 1e-15);
    const y = data.labels[i] ?? 0;
    loss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
    if ((p >= 0.5 ? 1 : 0) === y) correct++;
  });
  return { loss: loss / data.features.length, accuracy: correct / data.features.length };
}

export function train(
  data: Dataset,
  params: TrainingParams,
  onEpoch: (m: EpochMetrics) => void,
): TrainedModel {
  const dims = data.features[0]?.length ?? 0;
  const model: TrainedModel = { weights: new Array<number>(dims).fill(0), bias: 0 };
  for (let epoch = 1; epoch <= params.epochs; epoch++) {
    const gradient = new Array<number>(dims).fill(0);
    let biasGradient = 0;
    data.features.forEach((row, i) => {
      const error = predictProbability(model, row) - (data.labels[i] ?? 0);
      row.forEach((x, j) => {
        gradient[j] = (gradient[j] ?? 0) + error * x;
      });
      biasGradient += error;
    });
    const n = data.features.length;
    model.weights = model.weights.map((w, j) => w - (params.learningRate * (gradient[j] ?? 0)) / n);
    model.bias -= (params.learningRate * biasGradient) / n;
    onEpoch({ epoch, ...evaluate(model, data) });
  }
  return model;
}
