/**
 * The work an answered request leaves behind: a copy run on the mirror model (shadow traffic) and a rerun on
 * stable to measure agreement. It starts after the answer is sent on its way and never reaches the caller:
 * every failure is caught, a mirror's failure is counted on the mirrored model, and mirrored answers are not
 * remembered for feedback (nobody saw them).
 */
import { FlowOpsError } from "../../errors.js";
import { predict } from "../../server/serving/prediction.js";
import { copyPredictRequest, type PredictRequest } from "../../serving/payloads/modelInput.js";
import type { LiveTelemetry } from "../telemetry/liveTelemetry.js";
import { predictionValues } from "../telemetry/predictionValues.js";
import type { EndpointModel } from "./endpointModels.js";

export type Predictions = (number | string)[];

export interface ShadowWork {
  endpoint: string;
  stable: string;
  request: PredictRequest;
  /** The model key whose answer the caller got, and that answer's predictions. */
  answeredBy: string;
  predictions: Predictions | undefined;
  mirrorTo?: string | undefined;
  compareWith?: string | undefined;
  /** Looked up when the work runs, so a model unloaded meanwhile is skipped rather than called. */
  modelOf: (modelKey: string) => EndpointModel | undefined;
}

export interface ShadowRequestsDeps {
  telemetry: LiveTelemetry;
  now: () => number;
  log: (message: string) => void;
}

/** Row-by-row agreement; a row one side lacks counts as a disagreement. */
export function agreementOf(a: Predictions, b: Predictions): { compared: number; agreed: number } {
  const rows = Math.min(a.length, b.length);
  let agreed = 0;
  for (let i = 0; i < rows; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) agreed++;
  }
  return { compared: Math.max(a.length, b.length), agreed };
}

/** predictionValues, or undefined for outputs it cannot read: telemetry must never fail an answer. */
export function predictionsOf(outputs: Parameters<typeof predictionValues>[0]): Predictions | undefined {
  try {
    return predictionValues(outputs);
  } catch {
    return undefined;
  }
}

export class ShadowRequests {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: ShadowRequestsDeps) {}

  /** Runs the work on a later turn of the event loop; returns at once and never throws. */
  start(work: ShadowWork): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(work))
      .catch((error: unknown) =>
        this.deps.log(`endpoint '${work.endpoint}': shadow work failed: ${reasonOf(error)}`),
      );
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  /** Resolves when the work started so far has finished (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async run(work: ShadowWork): Promise<void> {
    // Each run hands its inputs to a runtime that may take the arrays over, so two runs get two copies.
    const both = work.mirrorTo !== undefined && work.compareWith !== undefined;
    await Promise.all([
      this.mirror(work),
      this.compare(both ? { ...work, request: copyPredictRequest(work.request) } : work),
    ]);
  }

  private async mirror(work: ShadowWork): Promise<void> {
    const key = work.mirrorTo;
    const served = key === undefined ? undefined : work.modelOf(key);
    if (key === undefined || served === undefined) return;
    const { telemetry, now } = this.deps;
    const started = performance.now();
    let predictions: Predictions | undefined;
    try {
      predictions = predictionsOf(await predict(served, work.request));
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      telemetry.recordRequest({
        endpoint: work.endpoint,
        model: key,
        status: statusOf(error),
        seconds,
        at: now(),
      });
      return;
    }
    const seconds = (performance.now() - started) / 1000;
    telemetry.recordRequest({
      endpoint: work.endpoint,
      model: key,
      status: 200,
      seconds,
      ...(predictions === undefined ? {} : { predictions }),
      at: now(),
    });
    if (predictions === undefined || work.predictions === undefined) return;
    // Agreement is always about the model that is not stable.
    const judged = key === work.stable ? work.answeredBy : key;
    this.recordAgreement(work, judged, work.predictions, predictions);
  }

  private async compare(work: ShadowWork): Promise<void> {
    const key = work.compareWith;
    const served = key === undefined ? undefined : work.modelOf(key);
    if (served === undefined || work.predictions === undefined) return;
    let predictions: Predictions | undefined;
    try {
      predictions = predictionsOf(await predict(served, work.request));
    } catch (error) {
      this.deps.log(
        `endpoint '${work.endpoint}': comparison run on '${served.key}' failed: ${reasonOf(error)}`,
      );
      return;
    }
    if (predictions === undefined) return;
    this.recordAgreement(work, work.answeredBy, work.predictions, predictions);
  }

  private recordAgreement(work: ShadowWork, model: string, a: Predictions, b: Predictions): void {
    const { compared, agreed } = agreementOf(a, b);
    if (compared === 0) return;
    this.deps.telemetry.recordComparison({
      endpoint: work.endpoint,
      model,
      compared,
      agreed,
      at: this.deps.now(),
    });
  }
}

export function statusOf(error: unknown): number {
  return error instanceof FlowOpsError ? error.httpStatus : 500;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
