// Fits a logistic regression (x1, x2 -> label) by batch gradient descent and writes its weights.
import { mkdirSync, writeFileSync } from "node:fs";
import { readCsv, readParams } from "./params.mjs";

const { learning_rate: lr, epochs } = readParams().train;
const { rows } = readCsv("data/prepared/train.csv");
let w = [0, 0];
let b = 0;
// The training curve, one row per 10 epochs: the stage's plot (`flowops plots show`).
const curve = ["epoch,loss"];
for (let epoch = 1; epoch <= epochs; epoch++) {
  const grad = [0, 0];
  let gradB = 0;
  let loss = 0;
  for (const [x1, x2, y] of rows) {
    const p = 1 / (1 + Math.exp(-(w[0] * x1 + w[1] * x2 + b)));
    loss -= y * Math.log(Math.max(p, 1e-12)) + (1 - y) * Math.log(Math.max(1 - p, 1e-12));
    grad[0] += (p - y) * x1;
    grad[1] += (p - y) * x2;
    gradB += p - y;
  }
  w = [w[0] - (lr * grad[0]) / rows.length, w[1] - (lr * grad[1]) / rows.length];
  b -= (lr * gradB) / rows.length;
  if (epoch % 10 === 0) curve.push(`${epoch},${(loss / rows.length).toFixed(6)}`);
  if (epoch % 100 === 0) console.log(`epoch ${epoch}`);
}
mkdirSync("model", { recursive: true });
writeFileSync("model/model.json", JSON.stringify({ weights: w, bias: b }) + "\n");
writeFileSync("loss.csv", curve.join("\n") + "\n");
