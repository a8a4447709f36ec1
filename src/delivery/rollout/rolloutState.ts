/**
 * The data of one deployment's rollout: its state (plain JSON, so it can be stored and resumed after a
 * restart), the inputs the rollout machine accepts and the actions it asks the serving layer to carry out.
 * No behaviour here beyond building the initial state; see rolloutMachine.ts.
 */
import type { AbTestStrategy, AnalysisRef, RolloutSpec } from "./rolloutSpec.js";

/** Phases of an AnalysisRun as Argo names them (analysis/analysisRun.ts computes them). */
export type AnalysisPhase = "Successful" | "Failed" | "Inconclusive" | "Error";

/** Argo's rollout phases; Promoting is blue-green's window between the switch and post-promotion analysis. */
export type RolloutPhase = "Healthy" | "Progressing" | "Paused" | "Degraded" | "Promoting";

export type AnalysisKind = "step" | "background" | "prePromotion" | "postPromotion" | "shadow";

/** Why a rollout waits for a human (or for `pauseUntil`). */
export type PauseReason = "PauseStep" | "InconclusiveAnalysis" | "BlueGreenPause" | "AwaitingDecision";

export interface AnalysisRunRef {
  runId: string;
  kind: AnalysisKind;
  templates: string[];
  startedAt: number;
}

/** One measurement that decided an analysis: which value broke which condition. */
export interface AnalysisFailure {
  metric: string;
  value: string;
  condition: string;
}

export interface RolloutHistoryEntry {
  at: number;
  kind: string;
  details: string;
}

export interface RolloutState {
  spec: RolloutSpec;
  phase: RolloutPhase;
  stable: string;
  /** The stable before the last completed rollout, for `undo`. */
  previousStable?: string;
  candidate?: string;
  candidateLoaded: boolean;
  /** Set by `undo` of a finished rollout: the candidate is the old stable and skips steps and analysis. */
  fastTrack: boolean;
  /** Counts deploys; names analysis runs so a result from an earlier rollout is never taken for this one. */
  revision: number;
  /** Counts retries of the current revision. */
  attempt: number;
  runCounter: number;
  stepIndex: number;
  canaryWeight: number;
  /** Blue-green: the preview route points at the candidate. */
  previewActive: boolean;
  /** Blue-green: the active route has been switched to the candidate. */
  activeIsCandidate: boolean;
  pauseReason?: PauseReason;
  pausedAt?: number;
  pauseUntil?: number;
  /** Which analysis left the rollout paused as Inconclusive, so `promote` knows what it skips. */
  inconclusiveKind?: AnalysisKind;
  /** Canary: the background analysis of this attempt finished successfully, so it is not started again. */
  backgroundAnalysisDone: boolean;
  /**
   * Canary: the background analysis of this attempt has judged the candidate at least once on every metric
   * (FlowOps' low-traffic rule: steps that run out before that pause the rollout instead of promoting).
   * Absent in states stored before the rule, read as false.
   */
  backgroundJudged?: boolean;
  /** Shadow: when mirroring has run long enough. */
  shadowEndsAt?: number;
  analyses: AnalysisRunRef[];
  abortedReason?: string;
  history: RolloutHistoryEntry[];
}

export type RolloutInput =
  | { type: "deploy"; candidate: string }
  | { type: "candidateLoaded" }
  | { type: "candidateLoadFailed"; message: string }
  | { type: "tick" }
  | { type: "analysisCompleted"; runId: string; phase: AnalysisPhase; failures?: AnalysisFailure[] }
  /** A running analysis has judged every metric at least once (Successful measurements, not Inconclusive). */
  | { type: "analysisJudged"; runId: string }
  /** A/B: the sequential test's decision (experiments/sequentialTest.ts decides; this only acts on it). */
  | { type: "experimentConcluded"; winner: "stable" | "candidate" | "none"; reason: string }
  | { type: "promote"; full?: boolean }
  | { type: "abort"; reason: string }
  | { type: "retry" }
  | { type: "undo" };

export interface TrafficRoute {
  model: string;
  weight: number;
}

export type RolloutAction =
  | {
      type: "setTraffic";
      routes: TrafficRoute[];
      mirror?: { model: string; percent: number };
      preview?: string;
      abTest?: {
        stickiness: AbTestStrategy["stickiness"];
        headerRoute?: NonNullable<AbTestStrategy["headerRoute"]>;
      };
    }
  | {
      type: "startAnalysis";
      runId: string;
      kind: AnalysisKind;
      templates: string[];
      args: NonNullable<AnalysisRef["args"]>;
    }
  | { type: "stopAnalysis"; runId: string }
  | { type: "loadModel"; model: string }
  | { type: "unloadModel"; model: string; afterSeconds: number }
  | { type: "recordEvent"; at: number; kind: string; details: string };

export interface RolloutStepResult {
  state: RolloutState;
  actions: RolloutAction[];
}

/**
 * The step index of a rollout with nothing left to do: a canary's step count, as Argo sets
 * `currentStepIndex = len(steps)` whenever it promotes a stable (last step, `--full`, first deploy,
 * rollback to stable), so a settled rollout reads "Step: 5/5" rather than the step it left from.
 */
export function completedStepIndex(spec: RolloutSpec): number {
  return spec.strategy.kind === "canary" ? spec.strategy.canary.steps.length : 0;
}

/** A deployment serving `stable` with nothing in progress (Argo skips steps on the first deploy too). */
export function createRollout(spec: RolloutSpec, stable: string): RolloutState {
  return {
    spec,
    phase: "Healthy",
    stable,
    candidateLoaded: false,
    fastTrack: false,
    revision: 0,
    attempt: 0,
    runCounter: 0,
    stepIndex: completedStepIndex(spec),
    canaryWeight: 0,
    previewActive: false,
    activeIsCandidate: false,
    backgroundAnalysisDone: false,
    backgroundJudged: false,
    analyses: [],
    history: [],
  };
}
