/**
 * The moves every strategy shares (route traffic, start and stop analyses, pause, abort, finish a
 * promotion), applied to a private copy of the state while collecting the actions they imply. The rollout
 * machine creates one per input; strategies call its methods and never build actions themselves.
 */
import type { AnalysisRef } from "./rolloutSpec.js";
import {
  completedStepIndex,
  type AnalysisKind,
  type PauseReason,
  type RolloutAction,
  type RolloutState,
  type TrafficRoute,
} from "./rolloutState.js";

const HISTORY_LIMIT = 100;
/** Argo's abortScaleDownDelaySeconds default: the aborted version stays loaded a while for a quick retry. */
const DEFAULT_ABORT_SCALE_DOWN_SECONDS = 30;

export class RolloutTransition {
  readonly actions: RolloutAction[] = [];

  constructor(
    readonly state: RolloutState,
    readonly now: number,
  ) {}

  record(kind: string, details: string): void {
    const entry = { at: this.now, kind, details };
    this.state.history.push(entry);
    if (this.state.history.length > HISTORY_LIMIT) this.state.history.shift();
    this.actions.push({ type: "recordEvent", ...entry });
  }

  /** Routes everything to the stable model except what `extra` says. */
  route(extra: Omit<Extract<RolloutAction, { type: "setTraffic" }>, "type" | "routes"> = {}): void {
    const { stable, candidate, canaryWeight } = this.state;
    const routes: TrafficRoute[] = [{ model: stable, weight: 100 - canaryWeight }];
    if (candidate !== undefined && canaryWeight > 0) routes.push({ model: candidate, weight: canaryWeight });
    this.actions.push({ type: "setTraffic", routes, ...extra });
  }

  startAnalysis(kind: AnalysisKind, ref: AnalysisRef): void {
    const state = this.state;
    state.runCounter += 1;
    const stepPart = kind === "step" ? `-${state.stepIndex}` : "";
    const runId = `rev${state.revision}.${state.attempt}-${kind}${stepPart}-${state.runCounter}`;
    const templates = ref.templates.map((t) => t.templateName);
    state.analyses.push({ runId, kind, templates, startedAt: this.now });
    this.actions.push({ type: "startAnalysis", runId, kind, templates, args: ref.args ?? [] });
  }

  hasAnalysis(kind: AnalysisKind): boolean {
    return this.state.analyses.some((a) => a.kind === kind);
  }

  stopAnalyses(kinds?: readonly AnalysisKind[]): void {
    const keep = this.state.analyses.filter((a) => kinds !== undefined && !kinds.includes(a.kind));
    for (const run of this.state.analyses) {
      if (!keep.includes(run)) this.actions.push({ type: "stopAnalysis", runId: run.runId });
    }
    this.state.analyses = keep;
  }

  pause(reason: PauseReason, durationMs?: number): void {
    const state = this.state;
    state.phase = "Paused";
    state.pauseReason = reason;
    state.pausedAt = this.now;
    if (durationMs === undefined) delete state.pauseUntil;
    else state.pauseUntil = this.now + durationMs;
    const until = durationMs === undefined ? "until promoted" : `for ${durationMs / 1000}s`;
    this.record("Paused", `${reason} ${until}`);
  }

  resume(): void {
    const state = this.state;
    state.phase = "Progressing";
    delete state.pauseReason;
    delete state.pausedAt;
    delete state.pauseUntil;
    delete state.inconclusiveKind;
  }

  /**
   * Argo's abort: all traffic back to the stable model at once (it stayed loaded, so nothing waits),
   * analyses stopped, the candidate unloaded after a delay so `retry` can be quick; phase Degraded.
   */
  abort(reason: string): void {
    const state = this.state;
    this.stopAnalyses();
    const hadCandidateTraffic = state.canaryWeight > 0 || state.activeIsCandidate || state.previewActive;
    state.canaryWeight = 0;
    state.activeIsCandidate = false;
    state.previewActive = false;
    delete state.shadowEndsAt;
    this.resume();
    state.phase = "Degraded";
    state.abortedReason = reason;
    if (hadCandidateTraffic || state.spec.strategy.kind === "shadow") this.route();
    if (state.candidate !== undefined && state.candidateLoaded) {
      this.actions.push({
        type: "unloadModel",
        model: state.candidate,
        afterSeconds: abortScaleDownSeconds(state),
      });
    }
    state.candidateLoaded = false;
    this.record("Aborted", reason);
  }

  /** The candidate takes all traffic and becomes stable; the old stable unloads after scaleDownDelay. */
  completePromotion(): void {
    const state = this.state;
    const candidate = state.candidate;
    if (candidate === undefined) return;
    this.stopAnalyses();
    const oldStable = state.stable;
    state.previousStable = oldStable;
    state.stable = candidate;
    delete state.candidate;
    delete state.abortedReason;
    delete state.shadowEndsAt;
    state.candidateLoaded = false;
    state.fastTrack = false;
    state.canaryWeight = 0;
    state.stepIndex = completedStepIndex(state.spec);
    state.previewActive = false;
    state.activeIsCandidate = false;
    this.resume();
    state.phase = "Healthy";
    this.route();
    this.actions.push({ type: "unloadModel", model: oldStable, afterSeconds: scaleDownSeconds(state) });
    this.record("Promoted", `${candidate} is stable; ${oldStable} unloads in ${scaleDownSeconds(state)}s`);
  }

  /** Drops the candidate without judging it (undo, or a newer deploy replacing it). */
  dropCandidate(reason: string): void {
    const state = this.state;
    const candidate = state.candidate;
    this.stopAnalyses();
    const hadTraffic = state.canaryWeight > 0 || state.activeIsCandidate || state.previewActive;
    state.canaryWeight = 0;
    state.activeIsCandidate = false;
    state.previewActive = false;
    if (hadTraffic || state.spec.strategy.kind === "shadow") this.route();
    if (candidate !== undefined && state.candidateLoaded) {
      this.actions.push({ type: "unloadModel", model: candidate, afterSeconds: 0 });
    }
    delete state.candidate;
    delete state.abortedReason;
    delete state.shadowEndsAt;
    state.candidateLoaded = false;
    state.fastTrack = false;
    state.stepIndex = completedStepIndex(state.spec);
    this.resume();
    state.phase = "Healthy";
    this.record("CandidateDropped", reason);
  }
}

function scaleDownSeconds(state: RolloutState): number {
  const strategy = state.spec.strategy;
  switch (strategy.kind) {
    case "canary":
      return strategy.canary.scaleDownDelaySeconds;
    case "blueGreen":
      return strategy.blueGreen.scaleDownDelaySeconds;
    case "abTest":
    case "shadow":
      return DEFAULT_ABORT_SCALE_DOWN_SECONDS;
  }
}

function abortScaleDownSeconds(state: RolloutState): number {
  const strategy = state.spec.strategy;
  return strategy.kind === "canary"
    ? strategy.canary.abortScaleDownDelaySeconds
    : DEFAULT_ABORT_SCALE_DOWN_SECONDS;
}
