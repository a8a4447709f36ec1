/**
 * Seeded fuzzing of batch inference's input handling: valid small tables in each format, damaged one way each
 * (tableInputFuzzFixtures.ts), run through batchPredict as `flowops predict` runs it (the input read on its
 * worker thread), with tiny parts so errors come after parts were written. Each case must either succeed with
 * the rows a reference reader finds (tableInputReferenceFixtures.ts), or fail with a FlowOpsError naming the
 * file (and, for a fault in one record of a text file, its line or row), leaving no output or the previous one
 * untouched, and no reading thread running. A failure prints its seed: FUZZ_SEED=<seed> reruns that case alone,
 * FUZZ_CASES=<n> runs more cases per format.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type * as ModuleWorker from "../moduleWorker.js";

import { runPredict } from "../cli/predict.js";
import { FlowOpsError } from "../errors.js";
import { batchPredict, type BatchPredictResult } from "../serving/batchPredict.js";
import { loadModel } from "../serving/loadModel.js";
import { mlpOnnx } from "../serving/onnx/onnxModelWriter.js";
import type { LoadedModel } from "../serving/runtime.js";
import { openTable } from "./openTable.js";
import type { CellValue } from "./tableChunk.js";
import { Rng, fuzzInput, type FuzzInput } from "./tableInputFuzzFixtures.js";
import {
  plainNumber,
  plainText,
  referenceTable,
  type ReferenceTable,
} from "./tableInputReferenceFixtures.js";
import type { TableFormat } from "./tableFormat.js";

/** Every worker thread started, with whether it has exited. */
const workers = vi.hoisted(() => new Map<Worker, { exited: boolean }>());
vi.mock("../moduleWorker.js", async (importOriginal) => {
  const original = await importOriginal<typeof ModuleWorker>();
  return {
    ...original,
    startModuleWorker: (...args: Parameters<typeof original.startModuleWorker>): Worker => {
      const worker = original.startModuleWorker(...args);
      const state = { exited: false };
      workers.set(worker, state);
      worker.once("exit", () => (state.exited = true));
      return worker;
    },
  };
});

const FORMATS: readonly TableFormat[] = ["csv", "tsv", "jsonl", "parquet"];
const CASES_PER_FORMAT = Number(process.env.FUZZ_CASES ?? 24);
const ONLY_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const HANG_MS = 15_000;
/** A format's cases together: 5 s a case, which the default 24 keep well within on a loaded machine. */
const FORMAT_TIMEOUT_MS = Math.max(120_000, CASES_PER_FORMAT * 5_000);

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-input-fuzz-"));
  const modelDir = join(dir, "model");
  await mkdir(modelDir);
  await writeFile(join(modelDir, "model.onnx"), mlpOnnx({ inputs: 2, hidden: 3, outputs: 2, seed: 5 }).bytes);
  model = await loadModel(modelDir, { execution: "inline", batchRows: 1024, log: () => undefined });
});
afterAll(async () => {
  await model.close();
  await rm(dir, { recursive: true, force: true });
});

interface FuzzCase {
  seed: number;
  input: FuzzInput;
  outputFormat: TableFormat;
  batchSize: number;
  /** Rows per part; undefined runs the case through `runPredict`, as the command does. */
  partRows: number | undefined;
  /** Whether a complete output of an earlier run is in place, which a failed run must leave as it was. */
  previousOutput: boolean;
}

function fuzzCase(seed: number, format: TableFormat): FuzzCase {
  const rng = new Rng(seed);
  const input = fuzzInput(format, rng);
  return {
    seed,
    input,
    outputFormat: rng.pick(FORMATS),
    batchSize: rng.pick([1, 2, 3, 1024]),
    partRows: rng.pick([1, 2, 5, undefined]),
    previousOutput: rng.chance(0.3),
  };
}

/** What went wrong with one case; empty when nothing did. */
async function problems(c: FuzzCase): Promise<string[]> {
  const input = join(dir, `case-${c.seed}.${c.input.format}`);
  const output = join(dir, `case-${c.seed}-out.${c.outputFormat}`);
  await writeFile(input, c.input.bytes);
  const previous = Buffer.from(`an earlier run's output of case ${c.seed}\n`);
  if (c.previousOutput) await writeFile(output, previous);
  const reference = await referenceTable(c.input.format, c.input.bytes);
  const started = new Set(workers.keys());
  const outcome = await settledWithin(run(c, input, output), HANG_MS);
  await new Promise((resolve) => setImmediate(resolve));
  const found: string[] = [];
  const running = [...workers].filter(([worker, state]) => !started.has(worker) && !state.exited);
  if (running.length > 0) found.push(`${running.length} worker thread(s) still running`);
  if (outcome.kind === "hung") return [...found, `no answer within ${HANG_MS} ms`];
  if (outcome.kind === "failed") {
    found.push(...errorProblems(outcome.error, input, c.input.format, reference));
    if (c.previousOutput) {
      if (!existsSync(output) || !previous.equals(await readFile(output)))
        found.push("the previous output changed");
    } else if (existsSync(output)) {
      found.push("an output was left behind");
    }
    return found;
  }
  if (reference.kind === "invalid")
    found.push(`succeeded on an input that is not readable (${reference.reason})`);
  else found.push(...(await outputProblems(outcome.result, output, reference)));
  if (existsSync(`${output}.parts`)) found.push("the parts directory was left behind");
  return found;
}

function run(c: FuzzCase, input: string, output: string): Promise<BatchPredictResult> {
  const columns = ["f0", "f1"];
  const format = c.input.format;
  if (c.partRows !== undefined) {
    const options = {
      input: openTable(input, { format }),
      output,
      batchSize: c.batchSize,
      partRows: c.partRows,
    };
    return batchPredict(model, { ...options, format: c.outputFormat, columns, modelKey: "fuzz" });
  }
  // The command closes the model it loaded; this one is shared by every case.
  const shared: LoadedModel = Object.assign(Object.create(model) as LoadedModel, {
    close: () => Promise.resolve(),
  });
  return runPredict(
    "fuzz-model",
    {
      input,
      output,
      inputFormat: format,
      format: c.outputFormat,
      batchSize: c.batchSize,
      columns,
      json: true,
    },
    {
      loadModel: () => Promise.resolve(shared),
      stdout: { write: () => true },
      progress: { enabled: false },
      now: Date.now,
    },
  );
}

function errorProblems(
  error: unknown,
  input: string,
  format: TableFormat,
  reference: ReferenceTable,
): string[] {
  if (!(error instanceof FlowOpsError)) {
    return [`threw a raw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`];
  }
  const found: string[] = [];
  const text = `${error.code}: ${error.message}`;
  if (error.code === "INTERNAL_ERROR") found.push(`an internal error for bad input (${text})`);
  if (!error.message.includes(input)) found.push(`the message does not name the input (${text})`);
  const wholeFile = reference.kind === "invalid" && reference.scope === "file";
  if (format !== "parquet" && !wholeFile && !/\b(line|row|rows) \d+/.test(error.message)) {
    found.push(`the message names no line or row (${text})`);
  }
  if (
    reference.kind === "rows" &&
    reference.rows.every((row) => plainNumber(row.f0) !== undefined && plainNumber(row.f1) !== undefined)
  ) {
    found.push(`refused an input whose features are all plain numbers (${text})`);
  }
  return found;
}

async function outputProblems(
  result: BatchPredictResult,
  output: string,
  reference: Extract<ReferenceTable, { kind: "rows" }>,
): Promise<string[]> {
  if (!existsSync(output)) return ["succeeded without an output"];
  const table: Record<string, CellValue[]> = {};
  let rows = 0;
  let columns: readonly string[] = [];
  for await (const chunk of openTable(output).chunks()) {
    columns = chunk.columns;
    rows += chunk.rowCount;
    for (const name of chunk.columns) (table[name] ??= []).push(...chunk.column(name));
  }
  const found: string[] = [];
  if (rows !== result.rows || rows !== reference.rows.length) {
    found.push(
      `the output has ${rows} rows, the result says ${result.rows}, the input has ${reference.rows.length}`,
    );
  }
  // JSON Lines has nowhere to name the columns of no rows; a text file's leading U+FEFF reads as a byte order mark.
  const expectedColumns =
    rows === 0 && output.endsWith(".jsonl") ? [] : [...reference.columns, ...result.predictionColumns];
  if (/\.(csv|tsv)$/.test(output) && expectedColumns[0]?.startsWith("\uFEFF") === true) {
    expectedColumns[0] = expectedColumns[0].slice(1);
  }
  if (columns.join() !== expectedColumns.join())
    found.push(`output columns ${columns.join()} for ${expectedColumns.join()}`);
  reference.rows.forEach((row, r) => {
    const id = table.id?.[r];
    if (plainText(row.id) && id !== row.id) found.push(`row ${r + 1}: id ${String(id)} for ${row.id}`);
    for (const name of ["f0", "f1"] as const) {
      const expected = plainNumber(row[name]);
      const actual = Number(table[name]?.[r]);
      if (
        expected !== undefined &&
        !(Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)))
      ) {
        found.push(`row ${r + 1}: ${name} ${actual} for ${expected}`);
      }
    }
  });
  return found;
}

type Outcome =
  { kind: "done"; result: BatchPredictResult } | { kind: "failed"; error: unknown } | { kind: "hung" };

async function settledWithin(work: Promise<BatchPredictResult>, ms: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: "hung" }), ms)));
  const settled = work.then(
    (result): Outcome => ({ kind: "done", result }),
    (error: unknown): Outcome => ({ kind: "failed", error }),
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

function report(c: FuzzCase, found: readonly string[]): string {
  const { format, mutation, bytes } = c.input;
  const shown =
    format === "parquet"
      ? Buffer.from(bytes).toString("base64")
      : JSON.stringify(Buffer.from(bytes).toString("latin1"));
  return [
    `seed ${c.seed} (FUZZ_SEED=${c.seed}): ${format}, ${mutation}; output ${c.outputFormat}, batch ${c.batchSize}, part ${c.partRows ?? "default"}`,
    ...found.map((problem) => `  - ${problem}`),
    `  bytes (${format === "parquet" ? "base64" : "latin1"}): ${shown}`,
  ].join("\n");
}

describe("batch inference over damaged input files", () => {
  FORMATS.forEach((format, f) => {
    it(
      `fails clearly or predicts every row of ${CASES_PER_FORMAT} damaged ${format} files`,
      async () => {
        const seeds = Array.from({ length: CASES_PER_FORMAT }, (_, i) => 100_000 * (f + 1) + i);
        const failures: string[] = [];
        for (const seed of ONLY_SEED === undefined ? seeds : seeds.filter((s) => s === ONLY_SEED)) {
          const c = fuzzCase(seed, format);
          const found = await problems(c);
          if (found.length > 0) failures.push(report(c, found));
        }
        expect(failures.join("\n\n")).toBe("");
      },
      FORMAT_TIMEOUT_MS,
    );
  });
});
