import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { FlowOpsError } from "../errors.js";
import { openTable } from "../tables/openTable.js";
import type { CellValue } from "../tables/tableChunk.js";
import { batchPredict } from "./batchPredict.js";
import type { LoadedModel } from "./runtime.js";
import type { Tensor } from "./tensor.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-batch-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface FakeModel extends LoadedModel {
  calls: number;
}

/**
 * A model over rows [a, b]: `sum` = a + b (FP64, one column) and `half` = [a/2, b/2] (FP32, two columns).
 * `failOnCall` makes that call reject, as a crashed worker would; `onCall` sees each call before it answers.
 */
function summingModel(
  options: { failOnCall?: number; onCall?: () => void; outputName?: string } = {},
): FakeModel {
  const model: FakeModel = {
    name: "summer",
    version: "1",
    platform: "test",
    inputs: [{ name: "x", datatype: "FP64", shape: [-1, 2] }],
    outputs: [
      { name: options.outputName ?? "sum", datatype: "FP64", shape: [-1] },
      { name: "half", datatype: "FP32", shape: [-1, 2] },
    ],
    calls: 0,
    ready: () => true,
    infer(inputs: Tensor[]): Promise<Tensor[]> {
      model.calls += 1;
      options.onCall?.();
      if (model.calls === options.failOnCall) {
        return Promise.reject(new FlowOpsError("TEMPORARILY_UNAVAILABLE", "the worker crashed"));
      }
      const x = inputs[0] as Tensor;
      const values = x.data as Float64Array;
      const rows = x.shape[0] as number;
      const sum = new Float64Array(rows);
      for (let r = 0; r < rows; r++) sum[r] = (values[2 * r] as number) + (values[2 * r + 1] as number);
      const half = Float32Array.from(values, (v) => v / 2);
      return Promise.resolve([
        { name: options.outputName ?? "sum", datatype: "FP64", shape: [rows], data: sum },
        { name: "half", datatype: "FP32", shape: [rows, 2], data: half },
      ]);
    },
    close: () => Promise.resolve(),
  };
  return model;
}

async function writeInput(name: string, rows: number): Promise<string> {
  const path = join(dir, name);
  const lines = ["id,a,b"];
  for (let r = 0; r < rows; r++) lines.push(`row ${r},${r},${r * 10}`);
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

/** The same table as writeInput, as Parquet: `id` text, `a` non-null FLOAT, `b` DOUBLE (null at `nullAt`). */
async function writeParquetInput(name: string, rows: number, nullAt?: number): Promise<string> {
  const path = join(dir, name);
  const ids = Array.from({ length: rows }, (_, r) => `row ${r}`);
  const a = Float32Array.from({ length: rows }, (_, r) => r);
  const b = Array.from({ length: rows }, (_, r) => (r === nullAt ? null : r * 10));
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "id", data: ids, type: "STRING" },
      { name: "a", data: a, type: "FLOAT", nullable: false },
      { name: "b", data: b, type: "DOUBLE" },
    ],
    rowGroupSize: 5,
  });
  await writeFile(path, new Uint8Array(buffer));
  return path;
}

async function readAll(path: string): Promise<Record<string, CellValue[]>> {
  const result: Record<string, CellValue[]> = {};
  for await (const chunk of openTable(path).chunks()) {
    for (const name of chunk.columns) (result[name] ??= []).push(...chunk.column(name));
  }
  return result;
}

/** Batches of 4 rows, one batch per part, so that each model call is its own resume checkpoint. */
function predictOptions(input: string, output: string, extra: { onProgress?: (rows: number) => void } = {}) {
  return { input: openTable(input), output, batchSize: 4, partRows: 4, columns: ["a", "b"], ...extra };
}

describe("batchPredict", () => {
  it("writes the input columns followed by one column per output, [N, K] outputs as K columns", async () => {
    const input = await writeInput("small.csv", 10);
    const output = join(dir, "small-out.jsonl");
    const progress: number[] = [];
    const model = summingModel();
    const result = await batchPredict(
      model,
      predictOptions(input, output, { onProgress: (rows) => progress.push(rows) }),
    );
    expect(result).toMatchObject({ rows: 10, chunks: 3, resumedChunks: 0, format: "jsonl" });
    expect(result.predictionColumns).toEqual(["sum", "half_0", "half_1"]);
    expect(progress).toEqual([4, 4, 2]);
    expect(model.calls).toBe(3);
    const table = await readAll(output);
    expect(Object.keys(table)).toEqual(["id", "a", "b", "sum", "half_0", "half_1"]);
    expect(table.sum).toEqual(Array.from({ length: 10 }, (_, r) => r * 11));
    expect(table.half_1).toEqual(Array.from({ length: 10 }, (_, r) => r * 5));
    expect(table.id?.[9]).toBe("row 9");
    expect(existsSync(`${output}.parts`)).toBe(false);
  });

  it("cuts a part into model calls of batchSize rows and writes their outputs in order", async () => {
    const input = await writeParquetInput("parts.parquet", 23);
    const output = join(dir, "parts-out.parquet");
    const progress: number[] = [];
    const model = summingModel();
    const result = await batchPredict(model, {
      ...predictOptions(input, output, { onProgress: (rows) => progress.push(rows) }),
      partRows: 10,
    });
    // 10 rows per part rounds down to 8 (two batches of 4): parts of 8, 8 and 7 rows, 6 model calls.
    expect(result).toMatchObject({ rows: 23, chunks: 3 });
    expect(progress).toEqual([8, 8, 7]);
    expect(model.calls).toBe(6);
    const table = await readAll(output);
    expect(table.sum).toEqual(Array.from({ length: 23 }, (_, r) => r * 11));
    expect(table.half_0).toEqual(Array.from({ length: 23 }, (_, r) => r / 2));
    expect(table.id?.[22]).toBe("row 22");
  });

  it("puts the rows of the model call that failed in its error", async () => {
    const input = await writeInput("failing-batch.csv", 20);
    const output = join(dir, "failing-batch-out.csv");
    await expect(
      batchPredict(summingModel({ failOnCall: 2 }), { ...predictOptions(input, output), partRows: 12 }),
    ).rejects.toThrow(/rows 5-8: the worker crashed/);
    // The first part failed: nothing to resume from, so no parts directory is left behind.
    expect(existsSync(`${output}.parts`)).toBe(false);
  });

  it("refuses a second run on an output that a live run is writing, and takes over a dead run's lock", async () => {
    const input = await writeInput("locked.csv", 6);
    const output = join(dir, "nested", "locked-out.csv");
    await mkdir(join(dir, "nested"), { recursive: true });
    // This test's own process stands for a run still writing the output.
    await writeFile(`${output}.lock`, `${process.pid}\n`);
    const model = summingModel();
    await expect(batchPredict(model, predictOptions(input, output))).rejects.toThrow(
      new RegExp(`locked-out\\.csv is being written by another run \\(process ${process.pid}`),
    );
    expect(model.calls).toBe(0);
    expect(existsSync(`${output}.parts`)).toBe(false);
    // A process id that no process has: the run that held it is gone.
    await writeFile(`${output}.lock`, "2147483646\n");
    await batchPredict(model, predictOptions(input, output));
    expect(existsSync(output)).toBe(true);
    expect(existsSync(`${output}.lock`)).toBe(false);
  });

  it("releases the lock when a run fails, and creates the output's directory", async () => {
    const input = await writeInput("unlocked.csv", 6);
    const output = join(dir, "new-dir", "deeper", "out.csv");
    await expect(
      batchPredict(summingModel({ failOnCall: 1 }), predictOptions(input, output)),
    ).rejects.toThrow(/the worker crashed/);
    expect(existsSync(`${output}.lock`)).toBe(false);
    await batchPredict(summingModel(), predictOptions(input, output));
    expect(existsSync(output)).toBe(true);
  });

  it("calls a model loader only once the output is locked, and fails cleanly when it fails", async () => {
    const input = await writeParquetInput("loaded.parquet", 9);
    const output = join(dir, "loaded-out.csv");
    await writeFile(`${output}.lock`, `${process.pid}\n`);
    let loads = 0;
    const loader = (): Promise<LoadedModel> => {
      loads += 1;
      return Promise.resolve(summingModel());
    };
    await expect(batchPredict(loader, predictOptions(input, output))).rejects.toThrow(
      /being written by another run/,
    );
    expect(loads).toBe(0);
    await rm(`${output}.lock`);
    const failing = (): Promise<LoadedModel> =>
      Promise.reject(new FlowOpsError("INVALID_PARAMETER_VALUE", "model.onnx: cannot load"));
    await expect(batchPredict(failing, predictOptions(input, output))).rejects.toThrow(
      "model.onnx: cannot load",
    );
    expect(existsSync(`${output}.lock`)).toBe(false);
    expect(existsSync(`${output}.parts`)).toBe(false);
    const result = await batchPredict(loader, predictOptions(input, output));
    expect(loads).toBe(1);
    expect(result.rows).toBe(9);
    expect(await readFile(output, "utf8")).toContain("row 8,8.0,80.0,88.0");
  });

  it("refuses rows per part that are not a positive integer", async () => {
    const input = await writeInput("bad-part.csv", 3);
    await expect(
      batchPredict(summingModel(), { ...predictOptions(input, join(dir, "bad-part-out.csv")), partRows: 0 }),
    ).rejects.toThrow(/rows per part must be a positive integer, got 0/);
  });

  it("writes the output only at the end, by renaming a finished file onto it", async () => {
    const input = await writeInput("atomic.csv", 10);
    const output = join(dir, "atomic-out.csv");
    const seen: boolean[] = [];
    await batchPredict(
      summingModel({ onCall: () => seen.push(existsSync(output)) }),
      predictOptions(input, output),
    );
    expect(seen).toEqual([false, false, false]);
    expect(existsSync(output)).toBe(true);
  });

  it("writes JSON Lines input numbers to CSV and JSON Lines as pandas writes a float column, whatever their text was", async () => {
    const input = join(dir, "forms.jsonl");
    const forms = ["0.25", "-1.0", "1e3", "-0.0", "1E-7", "0.1234567890123456789", "2.50", "3"];
    const lines = forms.map((a, r) => `{"id":"r${r}","a":${a},"b":${r === 3 ? "0.5" : "1.5"}}`);
    // One line the scanner leaves to JSON.parse (keys reordered): its numbers are formatted, not copied.
    lines.push('{"b":2.5,"id":"r8","a":-1.25}');
    await writeFile(input, `${lines.join("\n")}\n`);
    // pandas 3.1.1 (read_json, then to_csv or to_json) writes the same but for 0.12345678901234501 (its JSON
    // parser is not exact), and in JSON -0.0 as 0.0 and 1e-7 as 0.0000001 (it rounds to 10 decimals).
    const written = {
      csv: ["0.25", "-1.0", "1000.0", "-0.0", "1e-07", "0.12345678901234568", "2.5", "3.0", "-1.25"],
      jsonl: ["0.25", "-1.0", "1000.0", "-0.0", "1e-7", "0.12345678901234568", "2.5", "3.0", "-1.25"],
    };
    const b = lines.map((_, r) => (r === 3 ? "0.5" : r === 8 ? "2.5" : "1.5"));
    for (const format of ["csv", "jsonl"] as const) {
      const output = join(dir, `forms-out.${format}`);
      await batchPredict(summingModel(), predictOptions(input, output));
      const rows = (await readFile(output, "utf8")).trimEnd().split("\n");
      if (format === "csv") {
        expect(rows.slice(1).map((row) => row.split(",").slice(1, 3).join(","))).toEqual(
          written.csv.map((a, r) => `${a},${b[r]}`),
        );
      } else {
        expect(rows.map((row) => row.slice(0, row.indexOf(',"sum"')))).toEqual(
          written.jsonl.map((a, r) => `{"id":"r${r}","a":${a},"b":${b[r]}`),
        );
      }
    }
  });

  for (const format of ["csv", "jsonl", "parquet"] as const) {
    it(`resumes an interrupted ${format} run after its last finished chunk and gives the uninterrupted output`, async () => {
      const input = await writeInput(`resume-${format}.csv`, 18);
      const whole = join(dir, `whole.${format}`);
      await batchPredict(summingModel(), predictOptions(input, whole));

      const output = join(dir, `resumed.${format}`);
      const failing = summingModel({ failOnCall: 3 });
      await expect(batchPredict(failing, predictOptions(input, output))).rejects.toThrow(
        /rows 9-12: the worker crashed/,
      );
      expect(existsSync(output)).toBe(false);
      // Two parts finished: their rows in the one output file, and for Parquet their footers beside it.
      const footers = format === "parquet" ? ["000000.footer", "000001.footer"] : [];
      expect((await readdir(`${output}.parts`)).sort()).toEqual([
        ...footers,
        `output.${format}`,
        "progress.json",
      ]);
      // As if the run had been killed while writing a third part: bytes past the second, to be cut off.
      await appendFile(join(`${output}.parts`, `output.${format}`), "half a part");

      const rerun = summingModel();
      const progress: number[] = [];
      const result = await batchPredict(
        rerun,
        predictOptions(input, output, { onProgress: (rows) => progress.push(rows) }),
      );
      expect(rerun.calls).toBe(3);
      expect(progress).toEqual([4, 4, 2]);
      expect(result).toMatchObject({ rows: 18, chunks: 5, resumedChunks: 2, resumedRows: 8 });
      expect(await readFile(output)).toEqual(await readFile(whole));
      expect(existsSync(`${output}.parts`)).toBe(false);
    });
  }

  for (const format of ["csv", "parquet"] as const) {
    it(`gives the same ${format} output from a Parquet input's typed columns as from the same rows in CSV`, async () => {
      const fromCsv = join(dir, `from-csv.${format}`);
      await batchPredict(summingModel(), predictOptions(await writeInput("same.csv", 11), fromCsv));
      const fromParquet = join(dir, `from-parquet.${format}`);
      const result = await batchPredict(
        summingModel(),
        predictOptions(await writeParquetInput("same.parquet", 11), fromParquet),
      );
      expect(result).toMatchObject({ rows: 11, chunks: 3 });
      const expected = await readAll(fromCsv);
      const actual = await readAll(fromParquet);
      if (format === "csv") {
        // Parquet's float columns are written as pandas writes floats (`1.0`); CSV cells as the file spells them.
        const floats = (values: unknown[] | undefined): unknown[] | undefined =>
          values?.map((value) =>
            value === null || String(value).includes(".") ? value : `${String(value)}.0`,
          );
        expect({ ...actual, a: floats(actual.a), b: floats(actual.b) }).toEqual({
          ...expected,
          a: floats(expected.a),
          b: floats(expected.b),
        });
        expect(actual.a?.[1]).toBe("1.0");
      } else {
        for (const name of ["sum", "half_0", "half_1"]) expect(actual[name]).toEqual(expected[name]);
        expect(actual.a).toEqual(Array.from({ length: 11 }, (_, r) => r));
        expect(actual.id?.[10]).toBe("row 10");
      }
    });
  }

  it("writes CSV input cells as the file spells them, quoting only what the output needs quoted", async () => {
    const input = join(dir, "verbatim.csv");
    await writeFile(input, 'id,a,b\nplain,007.50,1E1\n"a, b",-0,.5\ncafé\tau,1e-7,2\nx"y,+3,4\n');
    const expected = {
      csv: 'id,a,b,sum,half_0,half_1\nplain,007.50,1E1,17.5,3.75,5.0\n"a, b",-0,.5,0.5,-0.0,0.25\n',
      tsv: "id\ta\tb\tsum\thalf_0\thalf_1\nplain\t007.50\t1E1\t17.5\t3.75\t5.0\na, b\t-0\t.5\t0.5\t-0.0\t0.25\n",
    };
    const rest = {
      csv: 'café\tau,1e-7,2,2.0000001,5e-08,1.0\n"x""y",+3,4,7.0,1.5,2.0\n',
      tsv: '"café\tau"\t1e-7\t2\t2.0000001\t5e-08\t1.0\n"x""y"\t+3\t4\t7.0\t1.5\t2.0\n',
    };
    for (const format of ["csv", "tsv"] as const) {
      const output = join(dir, `verbatim-out.${format}`);
      await batchPredict(summingModel(), predictOptions(input, output));
      expect(await readFile(output, "utf8")).toBe(expected[format] + rest[format]);
    }
  });

  it("feeds a null in a Parquet float feature as NaN, and names it in a column the signature types long", async () => {
    const input = await writeParquetInput("null.parquet", 8, 5);
    const output = join(dir, "null-out.parquet");
    await batchPredict(summingModel(), predictOptions(input, output));
    const table = await readAll(output);
    expect(table.sum?.[5]).toBeNaN();
    expect(table.sum?.[4]).toBe(44);
    // pandas reads the column as float64, which MLflow refuses for a long column: so is it refused here.
    const typed: LoadedModel = {
      ...summingModel(),
      signature: {
        kind: "columns",
        inputs: [
          { name: "a", type: "double", required: true },
          { name: "b", type: "long", required: true },
        ],
      },
    };
    const refused = join(dir, "null-long-out.parquet");
    await expect(batchPredict(typed, predictOptions(input, refused))).rejects.toThrow(
      /rows 5-8: column b, row 6: missing value \(empty\) \(the model takes long here; pandas reads/,
    );
    expect(existsSync(refused)).toBe(false);
  });

  it("resumes a Parquet-to-Parquet run and gives the uninterrupted output", async () => {
    const input = await writeParquetInput("resume-typed.parquet", 18);
    const whole = join(dir, "whole-typed.parquet");
    await batchPredict(summingModel(), predictOptions(input, whole));
    const output = join(dir, "resumed-typed.parquet");
    await expect(
      batchPredict(summingModel({ failOnCall: 4 }), predictOptions(input, output)),
    ).rejects.toThrow(/rows 13-16: the worker crashed/);
    const rerun = summingModel();
    const result = await batchPredict(rerun, predictOptions(input, output));
    expect(rerun.calls).toBe(2);
    expect(result).toMatchObject({ rows: 18, resumedChunks: 3 });
    expect(await readFile(output)).toEqual(await readFile(whole));
  });

  it("starts over when the input changed since the interrupted run", async () => {
    const input = await writeInput("changed.csv", 12);
    const output = join(dir, "changed-out.csv");
    await expect(
      batchPredict(summingModel({ failOnCall: 3 }), predictOptions(input, output)),
    ).rejects.toThrow();
    await appendFile(input, "row 12,12,120\n");
    const rerun = summingModel();
    const result = await batchPredict(rerun, predictOptions(input, output));
    expect(rerun.calls).toBe(4);
    expect(result).toMatchObject({ rows: 13, resumedChunks: 0 });
    expect((await readAll(output)).sum?.at(-1)).toBe("132.0");
  });

  // `cp -p`, rsync -t and some editors put the old mtime back on new content of the same size.
  it("starts over when the input was rewritten with the same size and its old mtime", async () => {
    const input = await writeInput("rewritten.csv", 12);
    // A whole second, which utimes can put back exactly.
    await utimes(input, 1_700_000_000, 1_700_000_000);
    const output = join(dir, "rewritten-out.csv");
    await expect(
      batchPredict(summingModel({ failOnCall: 3 }), predictOptions(input, output)),
    ).rejects.toThrow();
    await writeFile(input, (await readFile(input, "utf8")).replace("row 0,0,0", "row 0,9,0"));
    await utimes(input, 1_700_000_000, 1_700_000_000);
    const result = await batchPredict(summingModel(), predictOptions(input, output));
    expect(result).toMatchObject({ rows: 12, resumedChunks: 0 });
    expect((await readAll(output)).sum?.[0]).toBe("9.0");
  });

  it("starts over when the options changed since the interrupted run", async () => {
    const input = await writeInput("options.csv", 12);
    const output = join(dir, "options-out.csv");
    await expect(
      batchPredict(summingModel({ failOnCall: 3 }), predictOptions(input, output)),
    ).rejects.toThrow();
    const rerun = summingModel();
    await batchPredict(rerun, { ...predictOptions(input, output), batchSize: 6 });
    expect(rerun.calls).toBe(2);
  });

  it("starts over when the model's files changed since the interrupted run, even with the same name", async () => {
    const input = await writeInput("retrained.csv", 12);
    const output = join(dir, "retrained-out.csv");
    await expect(
      batchPredict(summingModel({ failOnCall: 3 }), {
        ...predictOptions(input, output),
        modelKey: "model-a",
      }),
    ).rejects.toThrow();
    const rerun = summingModel();
    const result = await batchPredict(rerun, { ...predictOptions(input, output), modelKey: "model-b" });
    expect(rerun.calls).toBe(3);
    expect(result).toMatchObject({ rows: 12, resumedChunks: 0 });
  });

  it("refuses an output column that the input already has", async () => {
    const input = await writeInput("clash.csv", 3);
    const output = join(dir, "clash-out.csv");
    await expect(
      batchPredict(summingModel({ outputName: "id" }), predictOptions(input, output)),
    ).rejects.toThrow(/already has the column 'id'/);
    expect(existsSync(output)).toBe(false);
  });

  it("writes the input columns and the announced prediction columns for an input without rows", async () => {
    const input = join(dir, "empty.csv");
    await writeFile(input, "id,a,b\n");
    const output = join(dir, "empty-out.csv");
    const model = summingModel();
    const result = await batchPredict(model, predictOptions(input, output));
    expect(model.calls).toBe(0);
    expect(result.rows).toBe(0);
    expect(await readFile(output, "utf8")).toBe("id,a,b,sum,half_0,half_1\n");
  });

  it("reads pandas' NA markers in CSV cells as missing for a model that takes columns", async () => {
    const input = join(dir, "na.csv");
    await writeFile(input, "id,a,b\nr0,1,NA\nr1,2,null\nr2,3,4\n");
    const seen: number[] = [];
    const model: LoadedModel = {
      name: "columns",
      version: "1",
      platform: "test",
      inputs: [
        { name: "a", datatype: "FP64", shape: [-1] },
        { name: "b", datatype: "FP64", shape: [-1] },
      ],
      outputs: [{ name: "b_out", datatype: "FP64", shape: [-1] }],
      ready: () => true,
      infer(inputs: Tensor[]): Promise<Tensor[]> {
        const b = inputs.find((t) => t.name === "b") as Tensor;
        seen.push(...(b.data as Float64Array));
        return Promise.resolve([
          { name: "b_out", datatype: "FP64", shape: [b.shape[0] as number], data: b.data },
        ]);
      },
      close: () => Promise.resolve(),
    };
    await batchPredict(model, { ...predictOptions(input, join(dir, "na-out.csv")), partRows: 8 });
    expect(seen).toEqual([NaN, NaN, 4]);
    // A bad cell is named by its row in the file, whichever batch it fell in (the 6th data row here).
    await writeFile(input, "id,a,b\nr0,1,2\nr1,2,3\nr2,3,4\nr3,4,5\nr4,5,6\nr5,6,oops\n");
    await expect(batchPredict(model, predictOptions(input, join(dir, "bad-cell.csv")))).rejects.toThrow(
      /na\.csv rows 5-6: row 6 column 'b'/,
    );
  });

  it("names the rows of a chunk the model rejects", async () => {
    const input = await writeInput("bad.csv", 6);
    await appendFile(input, "row 6,seven,70\n");
    const output = join(dir, "bad-out.csv");
    await expect(batchPredict(summingModel(), predictOptions(input, output))).rejects.toThrow(
      /bad\.csv rows 5-7/,
    );
  });
});
