/**
 * What each endpoint's models answered recently: request and error counts, latency, a sample of predictions and
 * how often a candidate agreed with stable, in a ring of fixed time buckets per (endpoint, model). The FlowOps
 * metric provider and the A/B experiment read windows of it. `recordRequest` sits on the inference hot path:
 * two map lookups and a few counter updates, no allocation beyond a bucket's first use; memory is bounded by
 * the retention, never by traffic.
 */

export interface RequestObservation {
  endpoint: string;
  model: string;
  status: number;
  seconds: number;
  predictions?: readonly (number | string)[];
  at: number;
}

export interface ComparisonObservation {
  endpoint: string;
  /** The model whose answers were compared with stable's. */
  model: string;
  compared: number;
  agreed: number;
  at: number;
}

export interface WindowStats {
  requests: number;
  /** Requests answered with a 5xx status: the model failed, not the caller (Flagger's request-success-rate). */
  errors: number;
  /** Latency quantile in seconds (q in [0, 1]), within 5 %; undefined when the window holds no latency. */
  latencyQuantile(q: number): number | undefined;
  /** A bounded sample of the window's predictions (up to `predictionsPerBucket` per bucket). */
  predictions: (number | string)[];
  compared: number;
  agreed: number;
}

/** Log-spaced latency bins of ratio 1.05 from 50 µs to 120 s, plus one bin below and one above. */
const LATENCY_MIN_SECONDS = 50e-6;
const LATENCY_MAX_SECONDS = 120;
const LATENCY_RATIO = 1.05;
const LOG_RATIO = Math.log(LATENCY_RATIO);
const LOG_BINS = Math.ceil(Math.log(LATENCY_MAX_SECONDS / LATENCY_MIN_SECONDS) / LOG_RATIO);
const OVERFLOW_BIN = LOG_BINS + 1;
const HISTOGRAM_LENGTH = LOG_BINS + 2;

function latencyBin(seconds: number): number {
  if (seconds < LATENCY_MIN_SECONDS) return 0;
  if (seconds >= LATENCY_MAX_SECONDS) return OVERFLOW_BIN;
  const bin = 1 + Math.floor(Math.log(seconds / LATENCY_MIN_SECONDS) / LOG_RATIO);
  return bin > LOG_BINS ? LOG_BINS : bin;
}

class TimeBucket {
  requests = 0;
  errors = 0;
  readonly latency = new Uint32Array(HISTOGRAM_LENGTH);
  latencyCount = 0;
  minSeconds = Infinity;
  maxSeconds = -Infinity;
  readonly predictions: (number | string)[] = [];
  predictionsSeen = 0;
  compared = 0;
  agreed = 0;

  constructor(public index: number) {}

  /** Reuses the bucket for a newer time slot instead of allocating another. */
  reset(index: number): void {
    this.index = index;
    this.requests = 0;
    this.errors = 0;
    if (this.latencyCount > 0) this.latency.fill(0);
    this.latencyCount = 0;
    this.minSeconds = Infinity;
    this.maxSeconds = -Infinity;
    this.predictions.length = 0;
    this.predictionsSeen = 0;
    this.compared = 0;
    this.agreed = 0;
  }
}

class BucketRing {
  readonly slots: (TimeBucket | undefined)[];
  newestIndex = -Infinity;

  constructor(size: number) {
    this.slots = new Array<TimeBucket | undefined>(size);
  }

  /** The bucket for time slot `index`, or undefined when that slot is past the retention. */
  bucket(index: number): TimeBucket | undefined {
    const size = this.slots.length;
    if (index <= this.newestIndex - size) return undefined;
    const slot = ((index % size) + size) % size;
    const held = this.slots[slot];
    if (held === undefined) {
      const created = new TimeBucket(index);
      this.slots[slot] = created;
      if (index > this.newestIndex) this.newestIndex = index;
      return created;
    }
    if (held.index === index) return held;
    if (held.index > index) return undefined;
    held.reset(index);
    if (index > this.newestIndex) this.newestIndex = index;
    return held;
  }

  /** The bucket for `index` if it holds that slot now and is retained; never creates or resets. */
  peek(index: number): TimeBucket | undefined {
    const size = this.slots.length;
    if (index <= this.newestIndex - size) return undefined;
    const held = this.slots[((index % size) + size) % size];
    return held !== undefined && held.index === index ? held : undefined;
  }
}

/** Merges histograms and interpolates inside a bin geometrically, so the error stays under one bin's 5 %. */
function quantileOf(
  histogram: Uint32Array,
  count: number,
  min: number,
  max: number,
  q: number,
): number | undefined {
  if (count === 0 || Number.isNaN(q)) return undefined;
  if (q <= 0) return min;
  if (q >= 1) return max;
  const rank = q * count;
  let below = 0;
  for (let bin = 0; bin < HISTOGRAM_LENGTH; bin++) {
    const inBin = histogram[bin] as number;
    if (inBin === 0) continue;
    if (below + inBin >= rank) {
      let value: number;
      if (bin === 0) value = min;
      else if (bin === OVERFLOW_BIN) value = max;
      else {
        const fraction = (rank - below) / inBin;
        value = LATENCY_MIN_SECONDS * Math.pow(LATENCY_RATIO, bin - 1 + fraction);
      }
      return Math.min(max, Math.max(min, value));
    }
    below += inBin;
  }
  return max;
}

export class LiveTelemetry {
  private readonly bucketMs: number;
  private readonly ringSize: number;
  private readonly predictionsPerBucket: number;
  private readonly endpoints = new Map<string, Map<string, BucketRing>>();
  /** xorshift32 state for reservoir sampling: deterministic, so windows are reproducible in tests. */
  private random = 0x9e3779b9;

  constructor(options: { bucketMs?: number; retainMs?: number; predictionsPerBucket?: number } = {}) {
    this.bucketMs = Math.max(1, options.bucketMs ?? 1000);
    const retainMs = Math.max(this.bucketMs, options.retainMs ?? 15 * 60_000);
    this.ringSize = Math.ceil(retainMs / this.bucketMs) + 1;
    this.predictionsPerBucket = Math.max(0, options.predictionsPerBucket ?? 256);
  }

  recordRequest(o: RequestObservation): void {
    const bucket = this.ring(o.endpoint, o.model).bucket(Math.floor(o.at / this.bucketMs));
    if (bucket === undefined) return;
    bucket.requests++;
    if (o.status >= 500) bucket.errors++;
    const seconds = o.seconds;
    if (seconds >= 0) {
      const bin = latencyBin(seconds);
      bucket.latency[bin] = (bucket.latency[bin] as number) + 1;
      bucket.latencyCount++;
      if (seconds < bucket.minSeconds) bucket.minSeconds = seconds;
      if (seconds > bucket.maxSeconds) bucket.maxSeconds = seconds;
    }
    const predictions = o.predictions;
    if (predictions !== undefined) {
      for (let i = 0; i < predictions.length; i++) this.sample(bucket, predictions[i] as number | string);
    }
  }

  recordComparison(o: ComparisonObservation): void {
    const bucket = this.ring(o.endpoint, o.model).bucket(Math.floor(o.at / this.bucketMs));
    if (bucket === undefined) return;
    bucket.compared += o.compared;
    bucket.agreed += o.agreed;
  }

  /**
   * Totals over the buckets overlapping [fromMs, toMs] (bucket granularity: a window starting mid-bucket
   * includes that whole bucket). An endpoint or model never seen answers an empty window.
   */
  window(endpoint: string, model: string, fromMs: number, toMs: number): WindowStats {
    const ring = this.endpoints.get(endpoint)?.get(model);
    const histogram = new Uint32Array(HISTOGRAM_LENGTH);
    const stats = { requests: 0, errors: 0, compared: 0, agreed: 0, predictions: [] as (number | string)[] };
    let latencyCount = 0;
    let min = Infinity;
    let max = -Infinity;
    if (ring !== undefined && toMs >= fromMs) {
      const last = Math.floor(toMs / this.bucketMs);
      const first = Math.max(Math.floor(fromMs / this.bucketMs), last - this.ringSize + 1);
      for (let index = first; index <= last; index++) {
        const bucket = ring.peek(index);
        if (bucket === undefined) continue;
        stats.requests += bucket.requests;
        stats.errors += bucket.errors;
        stats.compared += bucket.compared;
        stats.agreed += bucket.agreed;
        for (const value of bucket.predictions) stats.predictions.push(value);
        if (bucket.latencyCount === 0) continue;
        latencyCount += bucket.latencyCount;
        for (let bin = 0; bin < HISTOGRAM_LENGTH; bin++) {
          histogram[bin] = (histogram[bin] as number) + (bucket.latency[bin] as number);
        }
        if (bucket.minSeconds < min) min = bucket.minSeconds;
        if (bucket.maxSeconds > max) max = bucket.maxSeconds;
      }
    }
    return {
      ...stats,
      latencyQuantile: (q: number) => quantileOf(histogram, latencyCount, min, max, q),
    };
  }

  /** Drops an endpoint's telemetry, or one model's when `model` is given. */
  forget(endpoint: string, model?: string): void {
    if (model === undefined) {
      this.endpoints.delete(endpoint);
      return;
    }
    const models = this.endpoints.get(endpoint);
    models?.delete(model);
    if (models?.size === 0) this.endpoints.delete(endpoint);
  }

  private ring(endpoint: string, model: string): BucketRing {
    let models = this.endpoints.get(endpoint);
    if (models === undefined) {
      models = new Map();
      this.endpoints.set(endpoint, models);
    }
    let ring = models.get(model);
    if (ring === undefined) {
      ring = new BucketRing(this.ringSize);
      models.set(model, ring);
    }
    return ring;
  }

  /** Reservoir sampling (Vitter's algorithm R): every prediction of the bucket is equally likely to be kept. */
  private sample(bucket: TimeBucket, value: number | string): void {
    bucket.predictionsSeen++;
    if (bucket.predictions.length < this.predictionsPerBucket) {
      bucket.predictions.push(value);
      return;
    }
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x >>> 0;
    const slot = this.random % bucket.predictionsSeen;
    if (slot < this.predictionsPerBucket) bucket.predictions[slot] = value;
  }
}
