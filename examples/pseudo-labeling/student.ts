/**
 * The `student` stage: the labeled rows plus the rows `flowops predict` labeled (data/pseudo.parquet) whose
 * predicted class has a probability of at least `student.threshold`, taking the teacher's `label` as their
 * label. Writes the student's MLflow model directory (student/) and metrics/student.json: both models' test
 * accuracy and how many pseudo-labels were used.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { writeMlflowModel } from "../quickstart/mlflowModel.js";
import {
  accuracy,
  readColumns,
  readLabeled,
  stageParams,
  trainMlp,
  type TrainParams,
} from "./tableTraining.js";

interface StudentParams extends TrainParams {
  /** The least probability of the predicted class for a pseudo-label to be trained on. */
  threshold: number;
}

/** The prediction columns `flowops predict` adds for the teacher's outputs `probabilities` [N, 2] and `label`. */
const PREDICTIONS = ["probabilities_0", "probabilities_1", "label"];

async function main(): Promise<void> {
  const params = await stageParams<StudentParams>("student");
  const labeled = await readLabeled("data/labeled.csv");
  const test = await readLabeled("data/test.csv");
  const pseudo = await readColumns("data/pseudo.parquet", PREDICTIONS);
  const [p0, p1, label] = PREDICTIONS.map((name) => pseudo.columns.get(name) ?? []);
  const x = [...labeled.x];
  const y = [...labeled.y];
  pseudo.x.forEach((row, i) => {
    if (Math.max(p0?.[i] ?? 0, p1?.[i] ?? 0) < params.threshold) return;
    x.push(row);
    y.push(label?.[i] ?? 0);
  });
  const state = trainMlp(params, x, y);
  await writeMlflowModel("student", state);
  const teacher = JSON.parse(await readFile("metrics/teacher.json", "utf8")) as { test_accuracy: number };
  const metrics = {
    teacher_test_accuracy: teacher.test_accuracy,
    student_test_accuracy: accuracy(state, test.x, test.y),
    labeled_rows: labeled.x.length,
    pseudo_labels: x.length - labeled.x.length,
    unlabeled_rows: pseudo.x.length,
    threshold: params.threshold,
  };
  await mkdir("metrics", { recursive: true });
  await writeFile("metrics/student.json", `${JSON.stringify(metrics, null, 2)}\n`);
  process.stdout.write(
    `student: ${metrics.pseudo_labels} of ${metrics.unlabeled_rows} pseudo-labels at >= ${params.threshold}, ` +
      `test accuracy ${metrics.student_test_accuracy.toFixed(3)} (teacher ${metrics.teacher_test_accuracy.toFixed(3)})\n`,
  );
}

await main();
