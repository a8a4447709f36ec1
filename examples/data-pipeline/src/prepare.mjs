// Splits data/raw.csv into train and test sets with a seeded shuffle.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readParams } from "./params.mjs";

const { test_share: testShare, seed } = readParams().prepare;
const [header, ...rows] = readFileSync("data/raw.csv", "utf8").trim().split("\n");
let state = seed >>> 0;
const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [rows[i], rows[j]] = [rows[j], rows[i]];
}
const cut = Math.round(rows.length * (1 - testShare));
mkdirSync("data/prepared", { recursive: true });
writeFileSync("data/prepared/train.csv", [header, ...rows.slice(0, cut)].join("\n") + "\n");
writeFileSync("data/prepared/test.csv", [header, ...rows.slice(cut)].join("\n") + "\n");
console.log(`prepared ${cut} training and ${rows.length - cut} test rows`);
