/**
 * What `flowops rollout status` and the API show for one deployment: its phase, versions, the traffic split
 * its state implies and the analyses of its current revision with each metric's latest measurement. Built
 * from stored records only, so every server replica answers the same.
 */
import type { RolloutPhase, TrafficRoute } from "../rollout/rolloutState.js";
import type { DeploymentRecord, StoredAnalysisRun } from "./deploymentStore.js";
import { trafficPlanFor } from "./rolloutTrafficPlan.js";

export interface AnalysisStatus {
  runId: string;
  kind: string;
  phase: string;
  metrics: { name: string; phase: string; last?: { value: unknown; phase: string } }[];
}

export interface DeploymentStatus {
  name: string;
  phase: RolloutPhase;
  strategy: string;
  stable: string;
  candidate?: string;
  weights: TrafficRoute[];
  mirror?: { model: string; percent: number };
  preview?: string;
  stepIndex: number;
  /** Canary only: how many steps the rollout has. */
  steps?: number;
  pauseReason?: string;
  abortedReason?: string;
  analyses: AnalysisStatus[];
  createdAt: number;
  updatedAt: number;
}

/** `runs` may hold every run of the deployment; only the current revision's are shown. */
export function deploymentStatus(
  record: DeploymentRecord,
  runs: readonly StoredAnalysisRun[],
): DeploymentStatus {
  const state = record.state;
  const plan = trafficPlanFor(state);
  const strategy = state.spec.strategy;
  const revision = `rev${state.revision}.`;
  return {
    name: record.name,
    phase: state.phase,
    strategy: strategy.kind,
    stable: state.stable,
    ...(state.candidate === undefined ? {} : { candidate: state.candidate }),
    weights: plan.routes,
    ...(plan.mirror === undefined ? {} : { mirror: plan.mirror }),
    ...(plan.preview === undefined ? {} : { preview: plan.preview }),
    stepIndex: state.stepIndex,
    ...(strategy.kind === "canary" ? { steps: strategy.canary.steps.length } : {}),
    ...(state.pauseReason === undefined ? {} : { pauseReason: state.pauseReason }),
    ...(state.abortedReason === undefined ? {} : { abortedReason: state.abortedReason }),
    analyses: runs
      .filter((run) => run.deployment === record.name && run.runId.startsWith(revision))
      .sort((a, b) => a.startedAt - b.startedAt)
      .map(analysisStatus),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function analysisStatus(run: StoredAnalysisRun): AnalysisStatus {
  return {
    runId: run.runId,
    kind: run.kind,
    phase: run.phase,
    metrics: run.state.results.map((result) => {
      const last = result.measurements[result.measurements.length - 1];
      return {
        name: result.name,
        phase: result.phase,
        ...(last === undefined
          ? {}
          : { last: { value: last.value ?? last.message ?? null, phase: last.phase } }),
      };
    }),
  };
}
