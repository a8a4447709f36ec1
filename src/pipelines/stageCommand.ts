/** Runs one stage's command for a repro: its log, its GPUs, its environment, and the words for its failure. */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Stage } from "./dvcYaml.js";
import type { StageRunResult } from "./executor.js";
import { guardTracking, type ReproContext } from "./reproContext.js";
import { commandLines, type StageChange } from "./stageStatus.js";

export const LOG_DIR = join(".dvc", "tmp", "flowops", "logs");

export async function executeStage(
  context: ReproContext,
  stage: Stage,
  attempt: number,
  changes: StageChange[],
): Promise<{ result: StageRunResult; logPath: string; gpus?: readonly number[] }> {
  const { repo, options } = context;
  const logPath = join(LOG_DIR, context.runId, stageLogName(stage.name));
  const logAbs = join(repo.root, logPath);
  if (attempt > 1) {
    await mkdir(dirname(logAbs), { recursive: true });
    await appendFile(logAbs, `\nflowops: attempt ${attempt}\n`);
  }
  let lease = context.reserved.get(stage.name);
  context.reserved.delete(stage.name);
  if (lease === undefined && stage.gpus !== undefined && stage.gpus.count > 0) {
    lease = await context.gpus.acquire(stage.gpus.count, stage.gpus.type, options.signal);
  }
  try {
    const gpus = lease?.indices;
    context.emit({
      type: "stage-start",
      stage: stage.name,
      attempt,
      changes,
      cmd: stage.cmd,
      ...(gpus ? { gpus } : {}),
    });
    let runEnv: Record<string, string> | undefined;
    await guardTracking(context, async () => {
      runEnv = await options.tracking?.stageStarting?.(stage);
    });
    const env: NodeJS.ProcessEnv = {
      ...(options.env ?? process.env),
      ...runEnv,
      DVC_ROOT: repo.root,
      DVC_STAGE: stage.name,
      ...(gpus !== undefined ? { CUDA_VISIBLE_DEVICES: gpus.join(",") } : {}),
    };
    const timeoutSeconds = stage.timeoutSeconds ?? options.timeoutSeconds;
    const result = await context.executor.run(
      { name: stage.name, cmd: commandLines(stage), wdir: stage.wdir },
      {
        env,
        logPath: logAbs,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
        ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
        onOutput: (line, stream) => context.emit({ type: "output", stage: stage.name, line, stream }),
      },
    );
    return { result, logPath, ...(gpus ? { gpus } : {}) };
  } finally {
    lease?.release();
  }
}

export function failureMessage(
  stage: Stage,
  result: StageRunResult,
  timeoutSeconds: number | undefined,
): string {
  const command = result.command === undefined ? "" : ` '${result.command}'`;
  switch (result.status) {
    case "timed-out":
      return `stage '${stage.name}': timed out after ${timeoutSeconds ?? "?"} s running${command}`;
    case "cancelled":
      // Printed after "Stage '<name>'", which names it already.
      return "cancelled";
    case "error":
      return `stage '${stage.name}': ${result.message ?? "could not start"}`;
    default:
      return `stage '${stage.name}': failed to reproduce: command${command} exited with code ${result.exitCode ?? result.message ?? "?"}`;
  }
}

/**
 * A stage's log file name: its address with `%`, `/` and `\\` escaped, so that `a/b/dvc.yaml:x` and
 * `a_b/dvc.yaml:x` get files of their own (mapping both separators to `_` gave them one, both logs in it).
 */
export function stageLogName(stageName: string): string {
  return `${stageName.replace(/[%/\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)}.log`;
}
