/**
 * The batch workload's input: `rows` x `features` seeded values in [-3, 3) with four decimals, either as one
 * Float32Array in memory (what the onnxruntime anchors run on) or written as a CSV with a header f0..fN-1
 * (what `flowops predict` reads). Both come from the same generator, so every side scores the same numbers.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { mulberry32 as seededRandom } from "../../src/seededRandom.js";

const SEED = 20265;

function nextValue(random: () => number): number {
  return Math.round((random() * 6 - 3) * 1e4) / 1e4;
}

export function featureMatrix(rows: number, features: number): Float32Array {
  const random = seededRandom(SEED);
  const data = new Float32Array(rows * features);
  for (let i = 0; i < data.length; i++) data[i] = nextValue(random);
  return data;
}

export async function writeFeatureCsv(path: string, rows: number, features: number): Promise<void> {
  const random = seededRandom(SEED);
  const out = createWriteStream(path);
  const header = Array.from({ length: features }, (_, i) => `f${i}`).join(",");
  let chunk = `${header}\n`;
  const cells: string[] = new Array<string>(features);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < features; c++) cells[c] = String(nextValue(random));
    chunk += `${cells.join(",")}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

/** One row of the same generator, as the single-row request body every server gets. */
export function firstRow(features: number): number[] {
  const random = seededRandom(SEED);
  return Array.from({ length: features }, () => nextValue(random));
}
