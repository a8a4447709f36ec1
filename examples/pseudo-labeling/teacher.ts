/**
 * The `teacher` stage: the quickstart's MLP trained on the few labeled rows only, written as an MLflow model
 * directory (teacher/: MLmodel + model.onnx) that the `label` stage hands to `flowops predict`, with its test
 * accuracy in metrics/teacher.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { writeMlflowModel } from "../quickstart/mlflowModel.js";
import { accuracy, readLabeled, stageParams, trainMlp, type TrainParams } from "./tableTraining.js";

async function main(): Promise<void> {
  const params = await stageParams<TrainParams>("teacher");
  const labeled = await readLabeled("data/labeled.csv");
  const test = await readLabeled("data/test.csv");
  const state = trainMlp(params, labeled.x, labeled.y);
  await writeMlflowModel("teacher", state);
  const metrics = { test_accuracy: accuracy(state, test.x, test.y), train_rows: labeled.x.length };
  await mkdir("metrics", { recursive: true });
  await writeFile("metrics/teacher.json", `${JSON.stringify(metrics, null, 2)}\n`);
  process.stdout.write(
    `teacher: ${metrics.train_rows} labeled rows, test accuracy ${metrics.test_accuracy.toFixed(3)}\n`,
  );
}

await main();
