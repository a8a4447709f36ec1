/**
 * Runs an endpoint's retraining pipeline: `repro` over its DVC repository, tracked in the FlowOps server
 * (one parent run in experiment `retraining-<endpoint>`, a nested run per stage), with the environment the
 * loop prepared (FLOWOPS_BASE_MODEL_URI and the tracking URI), every stage run again. It only runs the pipeline; what happens to
 * the model it produced is the loop's business.
 */
import type { FlowOpsClient } from "../../client/index.js";
import { withDataRepo } from "../../data/dataRepo.js";
import { repro, type ReproEvent } from "../../pipelines/repro.js";
import { MlflowReproTracking } from "../../pipelines/reproTracking.js";

export interface PipelineRunRequest {
  targets?: readonly string[];
  /** The experiment the pipeline's runs go to. */
  experiment: string;
  /** Aborted when the server stops: the running stage is cancelled. */
  signal?: AbortSignal;
}

export interface PipelineRunOutcome {
  ok: boolean;
  /** The pipeline's parent run, when it was tracked. */
  parentRunId?: string;
  /** Why it failed: the failed stages' messages. */
  message?: string;
}

/** Runs the pipeline in `dir` with `env`; a throw means it could not run at all. */
export type RunRetrainingPipeline = (
  dir: string,
  env: NodeJS.ProcessEnv,
  request: PipelineRunRequest,
) => Promise<PipelineRunOutcome>;

/** Told each stage's and the whole pipeline's outcome (the server's pipeline metrics). */
export interface PipelineObserver {
  stage(pipeline: string, stage: string, outcome: string, seconds: number): void;
  pipeline(pipeline: string, outcome: "succeeded" | "failed", seconds: number): void;
}

/** The default runner: repro tracked in the server `client` talks to. */
export function reproPipelineRunner(
  client: FlowOpsClient,
  observer?: PipelineObserver,
): RunRetrainingPipeline {
  return (dir, env, request) =>
    withDataRepo(dir, async (repo) => {
      const started = performance.now();
      const tracking = new MlflowReproTracking(client, repo.root, request.experiment, client.trackingUri);
      // Forced: the base model is an input DVC cannot see, and a retraining exists to train again.
      const result = await repro(repo, {
        env,
        tracking,
        force: true,
        ...(observer === undefined
          ? {}
          : {
              onEvent: (event: ReproEvent) => {
                if (event.type !== "stage-end") return;
                const seconds = (event.result.durationMs ?? 0) / 1000;
                observer.stage(request.experiment, event.result.name, event.result.outcome, seconds);
              },
            }),
        ...(request.targets === undefined ? {} : { targets: request.targets }),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
      const failed = result.stages.filter((s) => !["ran", "skipped", "restored"].includes(s.outcome));
      const parentRunId = tracking.runId;
      const seconds = (performance.now() - started) / 1000;
      observer?.pipeline(request.experiment, result.ok ? "succeeded" : "failed", seconds);
      return {
        ok: result.ok,
        ...(parentRunId === undefined ? {} : { parentRunId }),
        ...(failed.length === 0
          ? {}
          : { message: failed.map((s) => s.message ?? `stage '${s.name}': ${s.outcome}`).join("; ") }),
      };
    });
}
