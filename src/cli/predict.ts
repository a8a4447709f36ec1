/**
 * `flowops predict <model-uri> --input F --output F`: batch inference over a table file (CSV, TSV, JSON Lines,
 * Parquet; formats from the extensions). Progress with rows/s on stderr; a summary on stdout, or JSON with --json.
 * An interrupted run continues where it stopped when rerun with the same input and options.
 * Wiring only: loading is src/serving/loadModel.ts, the work is src/serving/batchPredict.ts.
 */
import { Command, InvalidArgumentError, Option } from "commander";

import { FlowOpsError } from "../errors.js";
import type { LoadModelOptions } from "../serving/loadModel.js";
import type { ProviderChoice } from "../serving/onnx/providerChoice.js";
import { batchInlineProbe, INLINE_MS_PER_ROW } from "../serving/batchExecution.js";
import { batchPredict, type BatchPredictResult } from "../serving/batchPredict.js";
import type { LoadedModel } from "../serving/runtime.js";
import { DEFAULT_CHUNK_ROWS, openTable } from "../tables/openTable.js";
import { parseTableFormat, type TableFormat } from "../tables/tableFormat.js";
import { createProgress, type ProgressOptions } from "./progressBar.js";
import { positiveInteger, positiveSeconds } from "./numberOptions.js";
import { EXECUTIONS, executionProviderOption, type Execution } from "./serve.js";
import { localModelKey } from "../serving/modelFilesKey.js";

export const DEFAULT_BATCH_SIZE = 1024;

export interface PredictFlags {
  input: string;
  output: string;
  batchSize?: number;
  columns?: string[];
  inputFormat?: TableFormat;
  format?: TableFormat;
  workers?: number;
  execution?: Execution;
  executionProvider?: ProviderChoice;
  trackingUri?: string;
  json?: boolean;
  /** Seconds a Python model may take for one chunk; no limit by default. */
  chunkTimeout?: number;
}

/** What the command touches beyond its arguments, so tests can give a fake model and capture the output. */
export interface PredictDependencies {
  loadModel(uri: string, options: LoadModelOptions): Promise<LoadedModel>;
  stdout: { write(text: string): unknown };
  progress?: ProgressOptions;
  now(): number;
}

function columnList(value: string): string[] {
  const names = value.split(",").map((name) => name.trim());
  if (names.some((name) => name === "")) throw new InvalidArgumentError("expects names separated by commas.");
  return names;
}

function tableFormat(value: string): TableFormat {
  try {
    return parseTableFormat(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function predictCommand(): Command {
  return new Command("predict")
    .description("Run a model over a table file and write its rows with the predictions added.")
    .argument("<model-uri>", "models:/name/version, models:/name@alias, runs:/id/path or a model directory")
    .requiredOption("-i, --input <file>", "table to predict on (.csv, .tsv, .jsonl, .parquet)")
    .requiredOption("-o, --output <file>", "where to write the input columns and the predictions")
    .addOption(
      new Option(
        "-b, --batch-size <rows>",
        `rows per model call (an interrupted run resumes after its last finished chunk of ${withThousands(DEFAULT_CHUNK_ROWS)} rows, rounded down to a multiple of this)`,
      )
        .default(DEFAULT_BATCH_SIZE)
        .argParser(positiveInteger),
    )
    .addOption(
      new Option("--columns <names>", "input columns given to the model, in order (default: all)").argParser(
        columnList,
      ),
    )
    .addOption(
      new Option("--input-format <format>", "input format when the extension does not tell").argParser(
        tableFormat,
      ),
    )
    .addOption(
      new Option("--format <format>", "output format when the extension does not tell").argParser(
        tableFormat,
      ),
    )
    .addOption(
      new Option("--workers <n>", "inference workers (threads for ONNX, processes for Python)").argParser(
        positiveInteger,
      ),
    )
    .addOption(
      new Option(
        "--execution <mode>",
        "where ONNX runs happen: 'inline' on the main thread, beside the thread that reads the input; " +
          "'workers' on worker threads; 'auto' times a run of one batch at start-up and runs inline when it " +
          `takes under ${INLINE_MS_PER_ROW * 1000} µs a row and --workers is not above 1`,
      )
        .choices(EXECUTIONS)
        .default("auto"),
    )
    .addOption(executionProviderOption())
    .addOption(
      new Option(
        "--chunk-timeout <seconds>",
        "longest a Python model may take for one chunk (default: no limit; serve's online limit does not apply)",
      ).argParser(positiveSeconds),
    )
    .option(
      "--tracking-uri <uri>",
      "tracking server for models:/ and runs:/ URIs (default $MLFLOW_TRACKING_URI)",
    )
    .option("--json", "print a JSON summary", false)
    .action(async (uri: string, flags: PredictFlags) => {
      // Loaded on use: the runtimes (onnxruntime-node) would slow every other command's start.
      const { loadModel } = await import("../serving/loadModel.js");
      await runPredict(uri, flags, { loadModel, stdout: process.stdout, now: Date.now });
    });
}

export async function runPredict(
  uri: string,
  flags: PredictFlags,
  deps: PredictDependencies,
): Promise<BatchPredictResult> {
  // Opened before the model loads, so a missing or unreadable input fails fast.
  const input = openTable(flags.input, { format: flags.inputFormat });
  if (flags.execution === "inline" && flags.workers !== undefined && flags.workers > 1) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `--execution inline runs ONNX models on the main thread; it cannot use --workers ${flags.workers}`,
    );
  }
  const batchSize = flags.batchSize ?? DEFAULT_BATCH_SIZE;
  const started = deps.now();
  // A registry version's number can be reused and a run's artifact rewritten: a downloaded model's content
  // digest, not its name and version, says which model an interrupted run's parts came from.
  let downloadedDigest: string | undefined;
  const localKey = await localModelKey(uri);
  // Called by batchPredict, which reads the input's first parts while the model loads.
  const load = (): Promise<LoadedModel> =>
    deps.loadModel(uri, {
      onResolved: (resolved) => (downloadedDigest = resolved.digest),
      ...(flags.trackingUri === undefined ? {} : { trackingUri: flags.trackingUri }),
      ...(flags.workers === undefined ? {} : { workers: flags.workers }),
      ...(flags.executionProvider === undefined ? {} : { executionProviders: flags.executionProvider }),
      execution: flags.execution ?? "auto",
      inlineProbe: batchInlineProbe(batchSize),
      // A GPU is kept for batches (see loadOnnxModel's batchRows).
      batchRows: batchSize,
      // An offline chunk of thousands of rows may rightly take longer than an online request may.
      requestTimeoutMs: flags.chunkTimeout === undefined ? Infinity : flags.chunkTimeout * 1000,
      log: (message) => process.stderr.write(`${message}\n`),
    });
  const progress = createProgress("Predicting", undefined, {
    ...deps.progress,
    enabled: flags.json !== true && deps.progress?.enabled !== false,
    unit: "count",
  });
  let result: BatchPredictResult;
  let model: LoadedModel | undefined;
  try {
    result = await batchPredict(() => load().then((loaded) => (model = loaded)), {
      input,
      output: flags.output,
      format: flags.format,
      batchSize,
      columns: flags.columns,
      modelKey: () => localKey ?? downloadedDigest,
      onProgress: (rows) => progress.advance(rows),
    });
  } finally {
    progress.done();
    await model?.close();
  }
  const seconds = Math.max((deps.now() - started) / 1000, 1e-3);
  const predicted = result.rows - result.resumedRows;
  const rowsPerSecond = Math.round(predicted / seconds);
  if (flags.json === true) {
    deps.stdout.write(
      `${JSON.stringify({ ...result, model: { name: model?.name, version: model?.version }, seconds, rowsPerSecond }, null, 2)}\n`,
    );
  } else {
    const resumed =
      result.resumedChunks > 0 ? ` (${result.resumedRows} rows from an interrupted run reused)` : "";
    deps.stdout.write(
      `Wrote ${result.rows} rows with ${result.predictionColumns.join(", ") || "no prediction columns"} ` +
        `to ${result.output}${resumed}; ${predicted} rows predicted in ${seconds.toFixed(1)}s (${rowsPerSecond} rows/s)\n`,
    );
  }
  return result;
}

/** 65536 as "65,536"; toLocaleString would load ICU's number formatting, ~15 ms of every `predict`. */
function withThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+$)/g, ",");
}
