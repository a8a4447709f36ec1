/**
 * The quickstart's training stage (`node --import tsx train.ts`, run by `flowops repro` from dvc.yaml):
 * trains a small MLP on data/customers.csv to predict `churn`, holds out a test split, and writes
 *   model/model.onnx, model/MLmodel, model/weights.json  the MLflow model directory FlowOps registers,
 *   predictions.csv                                      the test split with `pred` and `p_churn`,
 *   metrics.json                                         loss and test accuracy (a DVC metrics file).
 * With FLOWOPS_BASE_MODEL_URI (models:/name/version, models:/name@alias or runs:/id/model) it starts from
 * that model's weights instead of random ones: the retraining loop continues from the model in production.
 */
import { readFile, writeFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { FlowOpsClient } from "../../src/client/index.js";
import { writeMlflowModel } from "./mlflowModel.js";
import {
  initialState,
  predictProbabilities,
  seededRandom,
  trainSgd,
  type MlpState,
} from "./mlpClassifier.js";

const FEATURES = ["age", "income", "tenure", "usage"];
const LABEL = "churn";

interface TrainParams {
  hidden: number;
  learning_rate: number;
  epochs: number;
  warm_start_epochs: number;
  batch_size: number;
  test_share: number;
  seed: number;
}

interface Table {
  header: string[];
  rows: string[][];
}

async function readCsv(path: string): Promise<Table> {
  const lines = (await readFile(path, "utf8")).split("\n").filter((line) => line !== "");
  const [head, ...body] = lines;
  if (head === undefined) throw new Error(`${path}: empty file, expected a header row`);
  return { header: head.split(","), rows: body.map((line) => line.split(",")) };
}

function column(table: Table, name: string, file: string): number {
  const index = table.header.indexOf(name);
  if (index < 0) throw new Error(`${file}: no column '${name}' (columns: ${table.header.join(", ")})`);
  return index;
}

/** Splits a models:/ or runs:/ URI into the run and the model's artifact path inside it. */
async function modelLocation(client: FlowOpsClient, uri: string): Promise<{ runId: string; path: string }> {
  const runs = /^runs:\/([^/]+)\/(.+)$/.exec(uri);
  if (runs) return { runId: runs[1] as string, path: runs[2] as string };
  const models = /^models:\/([^/@]+)(?:\/(\d+)|@(.+))$/.exec(uri);
  if (!models)
    throw new Error(`FLOWOPS_BASE_MODEL_URI: expected models:/name/version or runs:/id/path, got ${uri}`);
  const name = models[1] as string;
  const version =
    models[2] !== undefined
      ? await client.registry.getModelVersion(name, models[2])
      : await client.registry.getModelVersionByAlias(name, models[3] as string);
  const source = /^runs:\/([^/]+)\/(.+)$/.exec(version.source ?? "");
  if (source) return { runId: source[1] as string, path: source[2] as string };
  if (version.run_id) return { runId: version.run_id, path: "model" };
  throw new Error(`${uri}: version ${version.version} has no run to load weights from`);
}

async function baseModelState(uri: string): Promise<MlpState> {
  const client = new FlowOpsClient({});
  const { runId, path } = await modelLocation(client, uri);
  const dir = await mkdtemp(join(tmpdir(), "quickstart-base-"));
  try {
    const local = join(dir, "weights.json");
    await client.artifacts.downloadArtifact({ runId }, `${path}/weights.json`, local);
    return JSON.parse(await readFile(local, "utf8")) as MlpState;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const params = (YAML.parse(await readFile("params.yaml", "utf8")) as { train: TrainParams }).train;
  const file = "data/customers.csv";
  const table = await readCsv(file);
  const featureColumns = FEATURES.map((name) => column(table, name, file));
  const labelColumn = column(table, LABEL, file);
  const x = table.rows.map((row) => featureColumns.map((j) => Number(row[j])));
  const y = table.rows.map((row) => Number(row[labelColumn]));

  const next = seededRandom(params.seed);
  const isTest = table.rows.map(() => next() < params.test_share);
  const trainIdx = x.map((_, i) => i).filter((i) => !isTest[i]);
  const testIdx = x.map((_, i) => i).filter((i) => isTest[i]);

  const base = process.env.FLOWOPS_BASE_MODEL_URI;
  const state =
    base !== undefined && base !== ""
      ? await baseModelState(base)
      : initialState(
          FEATURES,
          trainIdx.map((i) => x[i] as number[]),
          params.hidden,
          2,
          params.seed,
        );
  const epochs = base ? params.warm_start_epochs : params.epochs;
  process.stdout.write(
    base ? `warm start from ${base}: ${epochs} epochs\n` : `training from scratch: ${epochs} epochs\n`,
  );
  const losses = trainSgd(
    state,
    trainIdx.map((i) => x[i] as number[]),
    trainIdx.map((i) => y[i] as number),
    { learningRate: params.learning_rate, epochs, batchSize: params.batch_size, seed: params.seed },
  );

  const lines = [[...FEATURES, "group", LABEL, "pred", "p_churn"].join(",")];
  const groupColumn = column(table, "group", file);
  let correct = 0;
  for (const i of testIdx) {
    const p = predictProbabilities(state, x[i] as number[])[1] ?? 0;
    const pred = p >= 0.5 ? 1 : 0;
    if (pred === y[i]) correct++;
    const row = table.rows[i] as string[];
    lines.push([...featureColumns.map((j) => row[j]), row[groupColumn], y[i], pred, p.toFixed(6)].join(","));
  }
  const accuracy = correct / Math.max(testIdx.length, 1);

  await writeMlflowModel("model", state);
  await writeFile("predictions.csv", `${lines.join("\n")}\n`);
  const metrics = {
    train_loss: losses.at(-1) ?? Number.NaN,
    test_accuracy: accuracy,
    warm_start: base ? 1 : 0,
  };
  await writeFile("metrics.json", `${JSON.stringify(metrics, null, 2)}\n`);
  process.stdout.write(
    `trained on ${trainIdx.length} rows, test accuracy ${accuracy.toFixed(3)} on ${testIdx.length}\n`,
  );
}

await main();
