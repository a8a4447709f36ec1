/**
 * Joins ground-truth labels that arrive later (POST /api/v1/feedback) with the prediction a model made for
 * the same request id, and counts correct answers per (endpoint, model) by feedback time, for the
 * `online_accuracy` metric and A/B experiments. Memory is bounded: the oldest unlabelled predictions are
 * forgotten beyond `capacity`, and so are the oldest labelled outcomes of each model.
 */

export interface FeedbackMatch {
  endpoint: string;
  model: string;
  prediction: number | string;
  correct: boolean;
}

interface PendingPrediction {
  readonly endpoint: string;
  readonly model: string;
  readonly prediction: number | string;
  readonly at: number;
}

/** Labelled outcomes of one model in feedback-time order, with running counts for O(log n) windows. */
class OutcomeLog {
  private readonly times: number[] = [];
  private readonly correct: boolean[] = [];
  /** correctThrough[i]: correct answers among outcomes 0..i (offsets cancel when the front is trimmed). */
  private readonly correctThrough: number[] = [];

  add(at: number, correct: boolean, capacity: number): void {
    // Feedback arrives almost in time order; a late one is inserted and the running counts redone after it.
    let position = this.times.length;
    while (position > 0 && (this.times[position - 1] as number) > at) position--;
    this.times.splice(position, 0, at);
    this.correct.splice(position, 0, correct);
    this.correctThrough.splice(position, 0, 0);
    for (let i = position; i < this.times.length; i++) {
      const before = i === 0 ? 0 : (this.correctThrough[i - 1] as number);
      this.correctThrough[i] = before + (this.correct[i] === true ? 1 : 0);
    }
    // Trim in halves so the amortised cost per outcome stays constant.
    if (this.times.length > capacity) {
      const drop = this.times.length - Math.max(1, Math.floor(capacity / 2));
      this.times.splice(0, drop);
      this.correct.splice(0, drop);
      this.correctThrough.splice(0, drop);
    }
  }

  /** First index with time >= at. */
  private lowerBound(at: number): number {
    let low = 0;
    let high = this.times.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.times[middle] as number) < at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  window(fromMs: number, toMs: number): { labelled: number; correct: number } {
    const first = this.lowerBound(fromMs);
    const end = this.lowerBound(toMs + 1);
    if (end <= first) return { labelled: 0, correct: 0 };
    const through = this.correctThrough[end - 1] as number;
    const before = first === 0 ? 0 : (this.correctThrough[first - 1] as number);
    return { labelled: end - first, correct: through - before };
  }
}

/**
 * One class per label however it was spelled: booleans and "true"/"false" are 1/0, numeric strings are numbers
 * ("1.0" is 1), other strings are trimmed.
 */
export function normaliseLabel(label: number | string | boolean): number | string {
  if (typeof label === "boolean") return label ? 1 : 0;
  if (typeof label === "number") return label;
  const text = label.trim();
  const lower = text.toLowerCase();
  if (lower === "true") return 1;
  if (lower === "false") return 0;
  if (text !== "") {
    const value = Number(text);
    if (!Number.isNaN(value)) return value;
  }
  return text;
}

export class FeedbackLedger {
  private readonly capacity: number;
  /** Insertion-ordered, so the first key is the oldest prediction. */
  private readonly pending = new Map<string, PendingPrediction>();
  private readonly outcomes = new Map<string, Map<string, OutcomeLog>>();

  constructor(options: { capacity?: number } = {}) {
    this.capacity = Math.max(1, options.capacity ?? 200_000);
  }

  recordPrediction(
    requestId: string,
    endpoint: string,
    model: string,
    prediction: number | string,
    at: number,
  ): void {
    this.pending.delete(requestId);
    this.pending.set(requestId, { endpoint, model, prediction, at });
    if (this.pending.size > this.capacity) {
      const oldest = this.pending.keys().next();
      if (oldest.done !== true) this.pending.delete(oldest.value);
    }
  }

  /**
   * Labels the prediction made for `requestId`; undefined when no prediction is remembered for it (unknown,
   * forgotten, or already labelled: the first label counts, so a repeated delivery is not counted twice).
   */
  recordFeedback(requestId: string, label: number | string | boolean, at: number): FeedbackMatch | undefined {
    const prediction = this.pending.get(requestId);
    if (prediction === undefined) return undefined;
    this.pending.delete(requestId);
    const correct = normaliseLabel(prediction.prediction) === normaliseLabel(label);
    this.log(prediction.endpoint, prediction.model).add(at, correct, this.capacity);
    return {
      endpoint: prediction.endpoint,
      model: prediction.model,
      prediction: prediction.prediction,
      correct,
    };
  }

  /** Labelled and correct predictions of `model` whose feedback arrived in [fromMs, toMs]. */
  window(
    endpoint: string,
    model: string,
    fromMs: number,
    toMs: number,
  ): { labelled: number; correct: number } {
    const log = this.outcomes.get(endpoint)?.get(model);
    return log === undefined ? { labelled: 0, correct: 0 } : log.window(fromMs, toMs);
  }

  private log(endpoint: string, model: string): OutcomeLog {
    let models = this.outcomes.get(endpoint);
    if (models === undefined) {
      models = new Map();
      this.outcomes.set(endpoint, models);
    }
    let log = models.get(model);
    if (log === undefined) {
      log = new OutcomeLog();
      models.set(model, log);
    }
    return log;
  }
}
