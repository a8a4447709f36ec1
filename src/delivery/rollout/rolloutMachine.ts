/**
 * The rollout machine: a pure reducer `step(state, input, now) -> { state, actions }` for one deployment,
 * with Argo Rollouts' semantics for deploy, promote (`--full`), abort, retry and undo, blocking and
 * background analysis, and the blue-green, A/B and shadow strategies. It touches nothing: the serving
 * layer carries out the actions (route traffic, load models, run analyses) and feeds results back as
 * inputs. Time is the `now` argument, in milliseconds; the input state is never modified.
 */
import { FlowOpsError } from "../../errors.js";
import type {
  AnalysisFailure,
  AnalysisPhase,
  RolloutInput,
  RolloutState,
  RolloutStepResult,
} from "./rolloutState.js";
import { RolloutTransition } from "./rolloutTransition.js";
import { advanceCanary, analysisSucceeded, promote, startStrategy, tick } from "./strategyProgress.js";

export function step(state: RolloutState, input: RolloutInput, now: number): RolloutStepResult {
  const t = new RolloutTransition(structuredClone(state), now);
  switch (input.type) {
    case "deploy":
      deploy(t, input.candidate);
      break;
    case "candidateLoaded":
      if (t.state.candidate === undefined || t.state.candidateLoaded || t.state.phase === "Degraded") break;
      t.state.candidateLoaded = true;
      t.record("CandidateLoaded", t.state.candidate);
      startStrategy(t);
      break;
    case "candidateLoadFailed":
      // The candidate never received traffic: nothing is routed to it before candidateLoaded.
      if (t.state.candidate === undefined || t.state.candidateLoaded) break;
      t.abort(`candidate ${t.state.candidate} failed to load: ${input.message}`);
      break;
    case "tick":
      tick(t);
      break;
    case "analysisCompleted":
      analysisCompleted(t, input.runId, input.phase, input.failures ?? []);
      break;
    case "analysisJudged": {
      const run = t.state.analyses.find((a) => a.runId === input.runId);
      if (run?.kind === "background" && t.state.backgroundJudged !== true) {
        t.state.backgroundJudged = true;
        // Steps that ran out while the candidate was still unjudged were waiting for exactly this.
        const state = t.state;
        const steps = state.spec.strategy.kind === "canary" ? state.spec.strategy.canary.steps.length : 0;
        if (
          state.pauseReason === "InconclusiveAnalysis" &&
          state.inconclusiveKind === "background" &&
          state.stepIndex >= steps
        ) {
          t.resume();
          advanceCanary(t);
        }
      }
      break;
    }
    case "experimentConcluded":
      experimentConcluded(t, input.winner, input.reason);
      break;
    case "promote":
      requireInProgress(t.state, "promote");
      if (!t.state.candidateLoaded) {
        throw new FlowOpsError(
          "INVALID_STATE",
          `cannot promote: candidate ${t.state.candidate ?? ""} has not loaded yet`,
        );
      }
      t.record("PromoteRequested", input.full === true ? "full" : "next step");
      promote(t, input.full === true);
      break;
    case "abort":
      requireInProgress(t.state, "abort");
      t.abort(`aborted by user: ${input.reason}`);
      break;
    case "retry":
      retry(t);
      break;
    case "undo":
      undo(t);
      break;
  }
  return { state: t.state, actions: t.actions };
}

function requireInProgress(state: RolloutState, command: string): void {
  if (state.candidate === undefined || state.phase === "Healthy" || state.phase === "Degraded") {
    throw new FlowOpsError(
      "INVALID_STATE",
      `cannot ${command}: no rollout in progress (phase ${state.phase}, stable ${state.stable})`,
    );
  }
}

function deploy(t: RolloutTransition, candidate: string): void {
  const state = t.state;
  // Re-deploying the stable model is Argo's rollback to stable: fast-tracked, no steps, no analysis.
  if (candidate === state.stable) {
    if (state.candidate !== undefined) t.dropCandidate(`redeployed stable ${candidate}`);
    return;
  }
  // A newer candidate replaces one still in progress, as a new template does in Argo.
  if (state.candidate !== undefined) t.dropCandidate(`replaced by ${candidate}`);
  beginCandidate(t, candidate, false);
}

function beginCandidate(t: RolloutTransition, candidate: string, fastTrack: boolean): void {
  const state = t.state;
  state.candidate = candidate;
  state.candidateLoaded = false;
  state.fastTrack = fastTrack;
  state.revision += 1;
  state.attempt = 0;
  state.stepIndex = 0;
  state.canaryWeight = 0;
  state.backgroundAnalysisDone = false;
  state.backgroundJudged = false;
  delete state.abortedReason;
  t.resume();
  t.actions.push({ type: "loadModel", model: candidate });
  t.record("Deployed", `${candidate} (revision ${state.revision}${fastTrack ? ", fast-tracked" : ""})`);
}

function analysisCompleted(
  t: RolloutTransition,
  runId: string,
  phase: AnalysisPhase,
  failures: AnalysisFailure[],
): void {
  const state = t.state;
  const run = state.analyses.find((a) => a.runId === runId);
  // A result for a run that was stopped (abort, promote, a newer deploy) changes nothing.
  if (run === undefined) return;
  state.analyses = state.analyses.filter((a) => a !== run);
  const subject = `${run.kind} analysis ${runId} (${run.templates.join(", ")})`;
  switch (phase) {
    case "Successful":
      t.record("AnalysisSuccessful", subject);
      analysisSucceeded(t, run);
      return;
    case "Inconclusive":
      t.record("AnalysisInconclusive", `${subject}${describeFailures(failures)}`);
      t.pause("InconclusiveAnalysis");
      state.inconclusiveKind = run.kind;
      return;
    case "Failed":
    case "Error":
      t.abort(`${subject} ${phase}${describeFailures(failures)}`);
      return;
  }
}

function describeFailures(failures: readonly AnalysisFailure[]): string {
  if (failures.length === 0) return "";
  const parts = failures.map((f) => `${f.metric} = ${f.value} (condition ${f.condition})`);
  return `: ${parts.join("; ")}`;
}

function experimentConcluded(
  t: RolloutTransition,
  winner: "stable" | "candidate" | "none",
  reason: string,
): void {
  const state = t.state;
  if (state.spec.strategy.kind !== "abTest" || state.phase !== "Progressing" || !state.candidateLoaded)
    return;
  switch (winner) {
    case "candidate":
      t.record("ExperimentConcluded", `candidate wins: ${reason}`);
      t.completePromotion();
      return;
    case "stable":
      t.abort(`A/B test kept stable: ${reason}`);
      return;
    case "none":
      t.record("ExperimentConcluded", `no winner: ${reason}`);
      t.pause("AwaitingDecision");
      return;
  }
}

function retry(t: RolloutTransition): void {
  const state = t.state;
  const candidate = state.candidate;
  if (state.phase !== "Degraded" || candidate === undefined) {
    throw new FlowOpsError(
      "INVALID_STATE",
      `cannot retry: only an aborted rollout can be retried (phase ${state.phase})`,
    );
  }
  state.attempt += 1;
  state.stepIndex = 0;
  state.canaryWeight = 0;
  state.backgroundAnalysisDone = false;
  state.backgroundJudged = false;
  state.candidateLoaded = false;
  delete state.abortedReason;
  t.resume();
  t.actions.push({ type: "loadModel", model: candidate });
  t.record("Retried", `${candidate} (attempt ${state.attempt})`);
}

/**
 * Undo during a rollout (or after an abort) drops the candidate and stays on stable, as re-applying the
 * stable manifest does in Argo. Undo of a finished rollout redeploys the previous stable, fast-tracked
 * (Argo's rollbackWindow): it skips steps and analysis but still gets traffic only once loaded.
 */
function undo(t: RolloutTransition): void {
  const state = t.state;
  if (state.candidate !== undefined) {
    t.dropCandidate(`undo: back to ${state.stable}`);
    return;
  }
  const previous = state.previousStable;
  if (previous === undefined) {
    throw new FlowOpsError("INVALID_STATE", `cannot undo: ${state.stable} has no previous stable version`);
  }
  beginCandidate(t, previous, true);
}
