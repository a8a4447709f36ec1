/**
 * Batch prediction into Parquet of input whose column name starts with U+FEFF (after a CSV's byte order mark,
 * or in a JSON key): the parts' footers must name the columns as the input does, or joining them fails (fuzz
 * cases 100199 and 200070 of tableInputFuzz.test.ts), and the file must read back with the name and the text.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { batchPredict } from "../serving/batchPredict.js";
import { loadModel } from "../serving/loadModel.js";
import { mlpOnnx } from "../serving/onnx/onnxModelWriter.js";
import type { LoadedModel } from "../serving/runtime.js";
import { openTable } from "./openTable.js";
import { readParquetMetadata } from "./parquetFooterReader.js";
import type { CellValue } from "./tableChunk.js";
import type { TableFormat } from "./tableFormat.js";

const FEFF = "\uFEFF";
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-feff-predict-"));
  const modelDir = join(dir, "model");
  await mkdir(modelDir);
  await writeFile(join(modelDir, "model.onnx"), mlpOnnx({ inputs: 2, hidden: 3, outputs: 2, seed: 5 }).bytes);
  model = await loadModel(modelDir, { execution: "inline", batchRows: 1024, log: () => undefined });
});
afterAll(async () => {
  await model.close();
  await rm(dir, { recursive: true, force: true });
});

async function predictToParquet(name: string, format: TableFormat, bytes: Buffer): Promise<string> {
  const input = join(dir, `${name}.${format}`);
  const output = join(dir, `${name}-out.parquet`);
  await writeFile(input, bytes);
  await batchPredict(model, {
    input: openTable(input, { format }),
    output,
    format: "parquet",
    batchSize: 2,
    partRows: 1,
    columns: ["f0", "f1"],
    modelKey: "feff",
  });
  return output;
}

async function idColumn(path: string): Promise<{ columns: readonly string[]; ids: CellValue[] }> {
  const ids: CellValue[] = [];
  let columns: readonly string[] = [];
  for await (const chunk of openTable(path).chunks()) {
    columns = chunk.columns;
    ids.push(...chunk.column(`${FEFF}id`));
  }
  return { columns, ids };
}

describe("batch prediction into Parquet of a column named with a leading U+FEFF", () => {
  const predicted = ["probabilities_0", "probabilities_1", "label"];

  it("keeps the name and the text of CSV input after its byte order mark", async () => {
    const csv = Buffer.concat([BOM, Buffer.from(`${FEFF}id,f0,f1\n${FEFF}r0,1,2\nr1,3,4\nr2,5,6\n`)]);
    const output = await predictToParquet("csv", "csv", csv);
    expect(await idColumn(output)).toEqual({
      columns: [`${FEFF}id`, "f0", "f1", ...predicted],
      ids: [`${FEFF}r0`, "r1", "r2"],
    });
    const names = readParquetMetadata(await readFile(output)).schema.map((element) => element.name);
    expect(names.slice(0, 2)).toEqual(["root", `${FEFF}id`]);
  });

  it("keeps the name of JSON Lines input when the parts' types differ and the file is rewritten", async () => {
    // One part's ids are numbers and another's text, so the parts are copied into a file of joined types.
    const lines = [`{"${FEFF}id": 7, "f0": 1, "f1": 2}`, `{"${FEFF}id": "${FEFF}r1", "f0": 3, "f1": 4}`];
    const output = await predictToParquet("jsonl", "jsonl", Buffer.from(`${lines.join("\n")}\n`));
    expect(await idColumn(output)).toEqual({
      columns: [`${FEFF}id`, "f0", "f1", ...predicted],
      ids: ["7", `${FEFF}r1`],
    });
  });
});
