/**
 * `flowops serve`: loads one or more models (models:/, runs:/, a directory) and answers KServe V2, V1 and
 * MLflow scoring requests until SIGINT/SIGTERM, then drains requests in flight and closes the models. A
 * second signal exits at once. Wiring only: loading is src/serving/loadModel.ts, HTTP is src/server/serving.
 */
import { Command, Option } from "commander";
import { FlowOpsError } from "../errors.js";
import { PROVIDER_CHOICES, type ProviderChoice } from "../serving/onnx/providerChoice.js";
import type { LoadedModel } from "../serving/runtime.js";
import { positiveSeconds } from "./numberOptions.js";

/** Restated from runtimes/onnx.ts so that `--help` does not load the serving runtimes. */
export const EXECUTIONS = ["auto", "inline", "workers"] as const;
export type Execution = (typeof EXECUTIONS)[number];

interface ServeOptions {
  port: number;
  host: string;
  workers?: number;
  execution?: Execution;
  executionProvider?: ProviderChoice;
  /** One per model URI, in order. */
  name?: string[];
  maxBatchSize?: number;
  maxQueueDelayMs?: number;
  bodyLimit?: number;
  trackingUri?: string;
  timeout?: number;
}

const DEFAULT_QUEUE_DELAY_MS = 2;

function wholeNumber(flag: string, least = 0): (value: string) => number {
  const kind = least > 0 ? "a positive whole number" : "a whole number";
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isInteger(parsed) || parsed < least) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${flag} expects ${kind}, got '${value}'`);
    }
    return parsed;
  };
}

/** Shared with `flowops predict`. */
export function executionProviderOption(): Option {
  return new Option(
    "--execution-provider <provider>",
    "where ONNX models run: 'auto' uses CUDA when a GPU is present and its onnxruntime libraries load, else the " +
      "CPU (with neither --max-batch-size nor --workers, `serve` times a one-row run on both and keeps the " +
      "faster); 'cuda' fails rather than fall back; 'cpu' never uses the GPU",
  )
    .choices(PROVIDER_CHOICES)
    .default("auto");
}

export function serveCommand(): Command {
  return new Command("serve")
    .description(
      "Serve models over HTTP: KServe V2 (/v2/models/{name}/infer), V1 (:predict), MLflow (/invocations), /metrics.",
    )
    .argument(
      "<model-uri...>",
      "models:/name/version, models:/name@alias, runs:/id/path or a model directory",
    )
    .option("-h, --host <host>", "address to bind", "127.0.0.1")
    .addOption(
      new Option("-p, --port <port>", "port to listen on").default(8080).argParser(wholeNumber("--port")),
    )
    .option(
      "--workers <n>",
      "inference workers per model (threads for ONNX, processes for Python)",
      wholeNumber("--workers", 1),
    )
    .addOption(
      new Option(
        "--execution <mode>",
        "where ONNX runs happen: 'inline' on the server's event loop (no thread hop; best for models that run " +
          "in well under a millisecond), 'workers' on worker threads, 'auto' times the model at start-up and " +
          "runs it inline when a batch-1 run takes under 0.5 ms and --workers is not above 1",
      )
        .choices(EXECUTIONS)
        .default("auto"),
    )
    .addOption(executionProviderOption())
    .option(
      "--name <name>",
      "name to serve a model under, once per model URI in their order (default: the registered name, or the directory's)",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      "--max-batch-size <rows>",
      "turn on dynamic batching: combine concurrent requests into calls of up to this many rows",
      wholeNumber("--max-batch-size"),
    )
    .option(
      "--max-queue-delay-ms <ms>",
      `longest wait for a batch to fill (with --max-batch-size; default ${DEFAULT_QUEUE_DELAY_MS})`,
      wholeNumber("--max-queue-delay-ms"),
    )
    .option(
      "--body-limit <bytes>",
      "largest accepted request body (default 32 MiB)",
      wholeNumber("--body-limit"),
    )
    .option(
      "--timeout <seconds>",
      "longest a Python model may take for one request before it is answered 504 and its worker restarted " +
        "(default $MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT, then 60, as MLflow's scoring server)",
      positiveSeconds,
    )
    .option(
      "--tracking-uri <uri>",
      "tracking server for models:/ and runs:/ URIs (default $MLFLOW_TRACKING_URI)",
    )
    .helpOption("--help", "show help")
    .action(async (uris: string[], opts: ServeOptions) => {
      await serve(uris, opts);
    });
}

async function serve(uris: string[], opts: ServeOptions): Promise<void> {
  if (opts.name !== undefined && opts.name.length !== uris.length) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `--name was given ${opts.name.length} time(s) for ${uris.length} model(s); give it once per model URI, in order`,
    );
  }
  if (opts.execution === "inline" && opts.workers !== undefined && opts.workers > 1) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      `--execution inline runs ONNX models on the server's event loop; it cannot use --workers ${opts.workers}`,
    );
  }
  if (opts.maxQueueDelayMs !== undefined && opts.maxBatchSize === undefined) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", "--max-queue-delay-ms needs --max-batch-size");
  }
  // Loaded on use: Fastify, prom-client and the runtimes would slow every other command's start.
  const { loadModel } = await import("../serving/loadModel.js");
  const { startModelServer, describeEndpoints } = await import("../server/serving/startModelServer.js");
  const models: LoadedModel[] = [];
  try {
    for (const [index, uri] of uris.entries()) {
      const name = opts.name?.[index];
      models.push(
        await loadModel(uri, {
          ...(opts.trackingUri === undefined ? {} : { trackingUri: opts.trackingUri }),
          ...(name === undefined ? {} : { name }),
          ...(opts.workers === undefined ? {} : { workers: opts.workers }),
          ...(opts.execution === undefined ? {} : { execution: opts.execution }),
          ...(opts.executionProvider === undefined ? {} : { executionProviders: opts.executionProvider }),
          ...(opts.maxBatchSize === undefined ? {} : { batchRows: opts.maxBatchSize }),
          ...(opts.timeout === undefined ? {} : { requestTimeoutMs: opts.timeout * 1000 }),
          log: (message) => process.stderr.write(`${message}\n`),
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(models.map((model) => model.close()));
    throw error;
  }
  const server = await startModelServer({
    models,
    host: opts.host,
    port: opts.port,
    bodyLimit: opts.bodyLimit,
    batching:
      opts.maxBatchSize === undefined
        ? undefined
        : {
            maxBatchSize: opts.maxBatchSize,
            maxQueueDelayMs: opts.maxQueueDelayMs ?? DEFAULT_QUEUE_DELAY_MS,
          },
    logger: { level: "info" },
  });
  process.stdout.write(`Serving at ${server.url}\n${describeEndpoints(server.url, models).join("\n")}\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without waiting for requests in flight\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`${signal}: finishing requests in flight, then closing the models\n`);
      server.close().then(
        () => resolve(),
        (error: unknown) => {
          process.stderr.write(
            `error while closing: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
