/**
 * The batch workload's input: `rows` x `features` seeded values in [-3, 3) with four decimals, either as one
 * Float32Array in memory (what the onnxruntime anchors run on) or written as a CSV with a header f0..fN-1 or
 * as JSON Lines with keys f0..fN-1 (what `flowops predict` reads). All come from the same generator, so every
 * side scores the same numbers.
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
  const header = Array.from({ length: features }, (_, i) => `f${i}`).join(",");
  await writeFeatureLines(path, rows, features, `${header}\n`, (cells) => cells.join(","));
}

/** The rows as pandas' `to_json(orient="records", lines=True)` writes them: one object per line. */
export async function writeFeatureJsonLines(path: string, rows: number, features: number): Promise<void> {
  const keys = Array.from({ length: features }, (_, i) => `"f${i}":`);
  await writeFeatureLines(
    path,
    rows,
    features,
    "",
    (cells) => `{${cells.map((c, i) => keys[i] + c).join(",")}}`,
  );
}

async function writeFeatureLines(
  path: string,
  rows: number,
  features: number,
  head: string,
  line: (cells: readonly string[]) => string,
): Promise<void> {
  const random = seededRandom(SEED);
  const out = createWriteStream(path);
  let chunk = head;
  const cells: string[] = new Array<string>(features);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < features; c++) cells[c] = String(nextValue(random));
    chunk += `${line(cells)}\n`;
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
