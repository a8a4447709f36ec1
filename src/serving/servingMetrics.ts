/**
 * Prometheus metrics of the model server, in a Registry of their own so a process that serves models and
 * something else never mixes the two sets. Label children are cached: `labels()` hashes its arguments on every
 * call, and the hot path runs once per request.
 */
import { Counter, Histogram, Registry } from "prom-client";
import { INFERENCE_LATENCY_BUCKETS } from "../monitoring/metricNames.js";

export type ServingProtocol = "v2" | "v1" | "mlflow";

/**
 * The `protocol` label of a request no route took: the protocol its path belongs to (`/v2/...`, `/v1/...`,
 * MLflow's `/invocations`...), or "" when the path is none of theirs.
 */
export type UnroutedProtocol = ServingProtocol | "";

/** The model a request addressed; empty strings when the request never reached a known model. */
export interface ModelLabels {
  model: string;
  version: string;
}

/**
 * The label value of a model or version a request named that is not served. One value for all of them keeps the
 * series bounded: the names come from request paths, and a client (or a scanner) could send any number of them.
 */
export const UNKNOWN_LABEL = "unknown";

/**
 * Labels of a request that named `name` (and `version`) but failed before reaching a model, so a 404 for a served
 * model's missing version still counts against that model. Only served names and versions appear as values.
 */
export function requestedModelLabels(
  servedVersions: readonly string[],
  name: string,
  version: string | undefined,
): ModelLabels {
  const highest = servedVersions[0];
  if (highest === undefined) return { model: UNKNOWN_LABEL, version: UNKNOWN_LABEL };
  if (version === undefined) return { model: name, version: highest };
  return { model: name, version: servedVersions.includes(version) ? version : UNKNOWN_LABEL };
}

/** What the dynamic batcher (or the direct path) reports per call into the model. */
export interface BatchObserver {
  /** Rows of one model call. */
  observeBatch(rows: number): void;
  /** Time one request waited before its model call started. */
  observeQueue(seconds: number): void;
}

const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];
/**
 * Queue time runs from sub-millisecond (a free ONNX thread) to the whole request timeout (60 s by default for a
 * Python model) when every worker is busy, so the buckets reach past it rather than lumping all of that into +Inf.
 */
const QUEUE_BUCKETS = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

interface RequestChildren {
  requests: Counter.Internal;
  errors: Counter.Internal;
  latency: Histogram.Internal<string>;
}

export class ServingMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly errors: Counter;
  private readonly latency: Histogram;
  private readonly batchSize: Histogram;
  private readonly queue: Histogram;
  private readonly children = new Map<string, RequestChildren>();

  constructor() {
    const registers = [this.registry];
    const labelNames = ["model", "version", "protocol", "code"] as const;
    this.requests = new Counter({
      name: "flowops_inference_requests_total",
      help: 'Inference requests answered, by model, version, protocol and HTTP status; model="unknown" for names not served, model="" for paths no route takes.',
      labelNames,
      registers,
    });
    this.errors = new Counter({
      name: "flowops_inference_errors_total",
      help: 'Inference requests answered with an HTTP error status (4xx or 5xx); model="unknown" for names not served, model="" for paths no route takes.',
      labelNames,
      registers,
    });
    this.latency = new Histogram({
      name: "flowops_inference_latency_seconds",
      help: "Time from the request reaching its route to the response being ready, in seconds.",
      labelNames: ["model", "version", "protocol"],
      // Shared with the SLO rules, which count requests under a bucket's bound (300 ms is a common SLO).
      buckets: [...INFERENCE_LATENCY_BUCKETS],
      registers,
    });
    this.batchSize = new Histogram({
      name: "flowops_inference_batch_size",
      help: "Rows per model call (several requests when dynamic batching combines them).",
      labelNames: ["model", "version"],
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.queue = new Histogram({
      name: "flowops_inference_queue_seconds",
      help: "Time a request waited for its model call to start, in seconds.",
      labelNames: ["model", "version"],
      buckets: QUEUE_BUCKETS,
      registers,
    });
  }

  /** Records one answered inference request. */
  observeRequest(labels: ModelLabels, protocol: ServingProtocol, status: number, seconds: number): void {
    const code = String(status);
    const key = `${labels.model}\u0000${labels.version}\u0000${protocol}\u0000${code}`;
    let child = this.children.get(key);
    if (child === undefined) {
      const all = { model: labels.model, version: labels.version, protocol, code };
      child = {
        requests: this.requests.labels(all),
        errors: this.errors.labels(all),
        latency: this.latency.labels({ model: labels.model, version: labels.version, protocol }),
      };
      this.children.set(key, child);
    }
    child.requests.inc();
    if (status >= 400) child.errors.inc();
    child.latency.observe(seconds);
  }

  /**
   * Records one request that no route took (an unknown path, or one the framework refused before routing: a
   * path that does not decode, a name over the router's length limit, a body over the limit), so the error
   * counters hold every error the server answered. Such a request addressed no model, so it is counted under
   * model="" and version="" (the value the shipped alert rules leave out with model!=""), never under the
   * names in its path: those are the client's text, and a scanner would make one series per path. Its latency
   * is not observed, as the histogram times requests from their route on.
   */
  observeUnroutedRequest(protocol: UnroutedProtocol, status: number): void {
    const all = { model: "", version: "", protocol, code: String(status) };
    this.requests.labels(all).inc();
    if (status >= 400) this.errors.labels(all).inc();
  }

  /** The observer a model's runner reports its calls to. */
  batchObserver(labels: ModelLabels): BatchObserver {
    const batch = this.batchSize.labels({ model: labels.model, version: labels.version });
    const queue = this.queue.labels({ model: labels.model, version: labels.version });
    return {
      observeBatch: (rows) => batch.observe(rows),
      observeQueue: (seconds) => queue.observe(seconds),
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every serving metric. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
