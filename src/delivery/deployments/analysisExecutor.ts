/**
 * Runs a deployment's analyses in-process: turns a rollout's startAnalysis action into one AnalysisRun over
 * the metrics of all its templates (as Argo merges them, so the run completes with the worst phase), takes
 * the measurements that fall due through the metric providers, and reports completed runs as the rollout
 * machine's analysisCompleted inputs with the values that decided them (and analysisJudged once every metric
 * has a verdict). It keeps the live runs in memory;
 * the controller persists what it returns and feeds the inputs back under the deployment's lock.
 */
import { FlowOpsError } from "../../errors.js";
import {
  createAnalysisRun,
  dueMeasurements,
  isCompleted,
  recordMeasurements,
  terminate,
  type AnalysisRunState,
  type MeasurementOutcome,
  type MetricResult,
} from "../analysis/analysisRun.js";
import type { AnalysisMetric, AnalysisTemplate } from "../analysis/analysisTemplate.js";
import { toOutcome, type MetricProvider } from "../analysis/metricProvider.js";
import type {
  AnalysisFailure,
  AnalysisKind,
  RolloutAction,
  RolloutInput,
  RolloutState,
} from "../rollout/rolloutState.js";
import type { StoredAnalysisRun } from "./deploymentStore.js";

type StartAnalysis = Extract<RolloutAction, { type: "startAnalysis" }>;

/** What one pass measured for one run, waiting to be recorded under the deployment's lock. */
export interface MeasuredRun {
  readonly runId: string;
  readonly outcomes: Readonly<Record<string, MeasurementOutcome>>;
}

export interface AnalysisUpdate {
  /** Runs whose state changed, to be saved. */
  readonly touched: StoredAnalysisRun[];
  /** analysisCompleted and analysisJudged inputs for the rollout machine. */
  readonly inputs: RolloutInput[];
}

interface LiveRun {
  stored: StoredAnalysisRun;
  /** A measurement pass has started and not been recorded: measurements never overlap. */
  inFlight: boolean;
  /** analysisJudged has been reported for this run. */
  judged: boolean;
}

const BAD_PHASES: ReadonlySet<string> = new Set(["Failed", "Error", "Inconclusive"]);

export class AnalysisExecutor {
  private readonly providers: ReadonlyMap<string, MetricProvider>;
  /** deployment -> runId -> run */
  private readonly live = new Map<string, Map<string, LiveRun>>();

  constructor(deps: { providers: readonly MetricProvider[] }) {
    this.providers = new Map(deps.providers.map((p) => [p.type, p]));
  }

  /**
   * Creates the run for a startAnalysis action. A template whose arguments cannot be resolved makes the run
   * complete as Error at once (returned in `inputs`), as Argo fails an AnalysisRun it cannot build.
   */
  start(
    deployment: string,
    action: StartAnalysis,
    templates: ReadonlyMap<string, AnalysisTemplate>,
    now: number,
  ): AnalysisUpdate {
    const args: Record<string, string> = {};
    for (const arg of action.args) args[arg.name] = arg.value;
    let state: AnalysisRunState;
    try {
      state = mergeRuns(
        action.templates.map((name) => {
          const template = templates.get(name);
          if (template === undefined) {
            throw new FlowOpsError(
              "RESOURCE_DOES_NOT_EXIST",
              `AnalysisTemplate '${name}' is not defined for deployment ${deployment}`,
            );
          }
          return createAnalysisRun(template, { ...args, endpoint: deployment }, now);
        }),
        now,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failed: AnalysisRunState = {
        templateName: action.templates.join("+"),
        metrics: [],
        results: [],
        phase: "Error",
        startedAt: now,
        finishedAt: now,
        terminated: false,
      };
      return {
        touched: [storedRun(deployment, action.runId, action.kind, failed)],
        inputs: [
          {
            type: "analysisCompleted",
            runId: action.runId,
            phase: "Error",
            failures: [{ metric: action.templates.join(", "), value: message, condition: "run can start" }],
          },
        ],
      };
    }
    const stored = storedRun(deployment, action.runId, action.kind, state);
    this.runsOf(deployment).set(action.runId, { stored, inFlight: false, judged: false });
    return { touched: [stored], inputs: [] };
  }

  /** Terminates a run the rollout no longer waits for; undefined when it is not running here. */
  stop(deployment: string, runId: string, now: number): StoredAnalysisRun | undefined {
    const runs = this.live.get(deployment);
    const run = runs?.get(runId);
    if (runs === undefined || run === undefined) return undefined;
    runs.delete(runId);
    const state = terminate(run.stored.state, now);
    return storedRun(deployment, runId, run.stored.kind, state, run.stored.startedAt);
  }

  /** Takes back runs saved before a restart; completed ones are ignored. */
  restore(runs: readonly StoredAnalysisRun[]): void {
    for (const stored of runs) {
      if (isCompleted(stored.state.phase)) continue;
      this.runsOf(stored.deployment).set(stored.runId, { stored, inFlight: false, judged: false });
    }
  }

  hasActive(deployment: string): boolean {
    return (this.live.get(deployment)?.size ?? 0) > 0;
  }

  forget(deployment: string): void {
    this.live.delete(deployment);
  }

  /**
   * Takes every measurement due at `now` for the deployment's runs that have none in flight. Runs outside
   * the deployment's lock (a provider may take seconds); the result goes to `record`, which must follow.
   */
  async measureDue(deployment: string, state: RolloutState, now: number): Promise<MeasuredRun[]> {
    const runs = [...(this.live.get(deployment)?.values() ?? [])].filter((r) => !r.inFlight);
    const passes = runs.map(async (run): Promise<MeasuredRun | undefined> => {
      const due = dueMeasurements(run.stored.state, now);
      if (due.length === 0) return undefined;
      run.inFlight = true;
      const args = runArgs(deployment);
      const context = {
        args,
        now,
        endpoint: deployment,
        stableVersion: state.stable,
        ...(state.candidate === undefined ? {} : { candidateVersion: state.candidate }),
      };
      const outcomes: Record<string, MeasurementOutcome> = {};
      await Promise.all(
        due.map(async (name) => {
          const metric = run.stored.state.metrics.find((m) => m.name === name);
          if (metric === undefined) return;
          const outcome = await this.measureOne(metric, context);
          if (outcome !== undefined) outcomes[name] = outcome;
        }),
      );
      return { runId: run.stored.runId, outcomes };
    });
    return (await Promise.all(passes)).filter((m): m is MeasuredRun => m !== undefined);
  }

  /** Records measured outcomes; runs stopped meanwhile keep nothing. */
  record(deployment: string, measured: readonly MeasuredRun[], now: number): AnalysisUpdate {
    const touched: StoredAnalysisRun[] = [];
    const inputs: RolloutInput[] = [];
    const runs = this.live.get(deployment);
    for (const { runId, outcomes } of measured) {
      const run = runs?.get(runId);
      if (runs === undefined || run === undefined) continue;
      run.inFlight = false;
      const state = run.stored.state;
      const open = Object.fromEntries(
        Object.entries(outcomes).filter(([name]) => {
          const result = state.results.find((r) => r.name === name);
          return result !== undefined && !isCompleted(result.phase);
        }),
      );
      if (Object.keys(open).length === 0 || isCompleted(state.phase)) continue;
      const next = recordMeasurements(state, open, now);
      run.stored = storedRun(deployment, runId, run.stored.kind, next, run.stored.startedAt);
      touched.push(run.stored);
      if (isCompleted(next.phase)) {
        runs.delete(runId);
        inputs.push({
          type: "analysisCompleted",
          runId,
          phase: next.phase as Exclude<typeof next.phase, "Pending" | "Running">,
          failures: failuresOf(next),
        });
      } else if (!run.judged && judgedEveryMetric(next)) {
        run.judged = true;
        inputs.push({ type: "analysisJudged", runId });
      }
    }
    return { touched, inputs };
  }

  private async measureOne(
    metric: AnalysisMetric,
    context: Parameters<MetricProvider["measure"]>[1],
  ): Promise<MeasurementOutcome | undefined> {
    const key = Object.keys(metric.provider)[0] ?? "";
    const provider = this.providers.get(key);
    if (provider === undefined) {
      return {
        error: `metric '${metric.name}': no provider '${key}' (known: ${[...this.providers.keys()].join(", ")})`,
      };
    }
    try {
      return toOutcome(await provider.measure(metric, context));
    } catch (error) {
      // Providers report failures as phases; a throw is still only "could not measure".
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  private runsOf(deployment: string): Map<string, LiveRun> {
    let runs = this.live.get(deployment);
    if (runs === undefined) {
      runs = new Map();
      this.live.set(deployment, runs);
    }
    return runs;
  }
}

/** The arguments a provider sees; template arguments are already substituted into the metrics. */
function runArgs(deployment: string): Record<string, string> {
  return { endpoint: deployment };
}

/**
 * One run over several templates' metrics. A metric name two templates share is qualified with its
 * template's name, so each keeps its own results.
 */
function mergeRuns(runs: readonly AnalysisRunState[], now: number): AnalysisRunState {
  const seen = new Set<string>();
  const metrics: AnalysisMetric[] = [];
  const results: MetricResult[] = [];
  for (const run of runs) {
    run.metrics.forEach((metric, i) => {
      const name = seen.has(metric.name) ? `${run.templateName}.${metric.name}` : metric.name;
      seen.add(name);
      metrics.push({ ...metric, name });
      results.push({ ...(run.results[i] as MetricResult), name });
    });
  }
  return {
    templateName: runs.map((r) => r.templateName).join("+"),
    metrics,
    results,
    phase: "Pending",
    startedAt: now,
    terminated: false,
  };
}

/**
 * Every metric that decides the run has at least one Successful measurement: the candidate has been judged,
 * not merely found too quiet to judge (FlowOps' low-traffic rule).
 */
function judgedEveryMetric(state: AnalysisRunState): boolean {
  const deciding = state.results.filter((r) => !r.dryRun);
  const judged = deciding.length > 0 ? deciding : state.results;
  return judged.length > 0 && judged.every((r) => r.successful > 0);
}

/** The last bad measurement of each metric that decided the run, with the condition it was judged by. */
export function failuresOf(state: AnalysisRunState): AnalysisFailure[] {
  const failures: AnalysisFailure[] = [];
  for (const result of state.results) {
    if (result.dryRun || !BAD_PHASES.has(result.phase)) continue;
    const last = [...result.measurements].reverse().find((m) => BAD_PHASES.has(m.phase));
    if (last === undefined) {
      failures.push({ metric: result.name, value: result.message ?? result.phase, condition: "" });
      continue;
    }
    const value =
      last.value !== undefined && last.phase !== "Error" && last.phase !== "Inconclusive"
        ? JSON.stringify(last.value)
        : (last.message ?? JSON.stringify(last.value ?? null));
    failures.push({
      metric: result.name,
      value,
      condition: last.failureCondition ?? last.successCondition ?? "",
    });
  }
  return failures;
}

function storedRun(
  deployment: string,
  runId: string,
  kind: AnalysisKind,
  state: AnalysisRunState,
  startedAt: number = state.startedAt,
): StoredAnalysisRun {
  return {
    deployment,
    runId,
    kind,
    phase: state.phase,
    state,
    startedAt,
    ...(state.finishedAt === undefined ? {} : { finishedAt: state.finishedAt }),
  };
}
