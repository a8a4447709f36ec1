/**
 * What the teacher and student stages share: their params, the feature rows of a table file (CSV or Parquet,
 * read with FlowOps' own table reader) and training and scoring the quickstart's MLP on them. The stages differ
 * only in which rows they train on.
 */
import { readFile } from "node:fs/promises";
import YAML from "yaml";
import { FEATURE_COLUMNS } from "../../src/quickstart/customerData.js";
import { openTable } from "../../src/tables/openTable.js";
import { initialState, predictProbabilities, trainSgd, type MlpState } from "../quickstart/mlpClassifier.js";

export const FEATURES: readonly string[] = FEATURE_COLUMNS;

export interface TrainParams {
  hidden: number;
  learning_rate: number;
  epochs: number;
  batch_size: number;
  seed: number;
}

/** One section of params.yaml, the file `params:` in dvc.yaml makes each stage depend on. */
export async function stageParams<T>(section: string): Promise<T> {
  const params = YAML.parse(await readFile("params.yaml", "utf8")) as Record<string, T | undefined>;
  const found = params[section];
  if (found === undefined) throw new Error(`params.yaml: no section '${section}'`);
  return found;
}

/** Feature rows and whatever other columns `extra` names, each as numbers, one array per column. */
export async function readColumns(
  path: string,
  extra: readonly string[],
): Promise<{ x: number[][]; columns: Map<string, number[]> }> {
  const x: number[][] = [];
  const columns = new Map<string, number[]>(extra.map((name) => [name, []]));
  for await (const chunk of openTable(path, { columns: [...FEATURES, ...extra] }).chunks()) {
    const features = FEATURES.map((name) => chunk.column(name));
    for (let r = 0; r < chunk.rowCount; r++) x.push(features.map((column) => Number(column[r])));
    for (const [name, values] of columns) {
      for (const value of chunk.column(name)) values.push(Number(value));
    }
  }
  return { x, columns };
}

/** Labeled rows: the features and the `churn` label. */
export async function readLabeled(path: string): Promise<{ x: number[][]; y: number[] }> {
  const { x, columns } = await readColumns(path, ["churn"]);
  return { x, y: columns.get("churn") ?? [] };
}

/** A fresh MLP trained on `x`, `y`, standardised on `x`. */
export function trainMlp(params: TrainParams, x: number[][], y: number[]): MlpState {
  const state = initialState([...FEATURES], x, params.hidden, 2, params.seed);
  trainSgd(state, x, y, {
    learningRate: params.learning_rate,
    epochs: params.epochs,
    batchSize: params.batch_size,
    seed: params.seed,
  });
  return state;
}

export function accuracy(state: MlpState, x: readonly number[][], y: readonly number[]): number {
  let correct = 0;
  x.forEach((row, i) => {
    const p = predictProbabilities(state, row)[1] ?? 0;
    if ((p >= 0.5 ? 1 : 0) === y[i]) correct++;
  });
  return correct / Math.max(x.length, 1);
}
