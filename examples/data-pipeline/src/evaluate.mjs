// Scores the model on the test split and writes metrics.json (read by `flowops metrics show`).
import { readFileSync, writeFileSync } from "node:fs";
import { readCsv } from "./params.mjs";

const { weights, bias } = JSON.parse(readFileSync("model/model.json", "utf8"));
const { rows } = readCsv("data/prepared/test.csv");
let correct = 0;
for (const [x1, x2, y] of rows) {
  const predicted = weights[0] * x1 + weights[1] * x2 + bias > 0 ? 1 : 0;
  if (predicted === y) correct++;
}
const metrics = { accuracy: correct / rows.length, test_rows: rows.length };
writeFileSync("metrics.json", JSON.stringify(metrics, null, 2) + "\n");
console.log(`accuracy ${metrics.accuracy.toFixed(3)}`);
