/**
 * Runs the stages of a plan as a DAG with at most `jobs` at once: a stage starts when everything upstream
 * of it in the plan has finished well, in plan order among the ready ones. A failed stage marks all its
 * dependants `not-run-upstream-failed`; the independent stages keep running with `keepGoing`, and are
 * otherwise not started (`cancelled`), as dvc stops at the first failure unless `-k`; with `ignoreErrors`
 * (dvc's `--ignore-errors`) even the dependants start. Stages already running
 * finish either way. Failed attempts are retried up to the stage's retry count. What "running a stage" means (change checks, run-cache, executing,
 * committing) is the caller's `run`; this module only orders, limits and retries.
 */

/** How one stage of a repro ended. */
export type StageOutcome =
  /** Its commands ran and succeeded. */
  | "ran"
  /** Nothing changed: not run. */
  | "skipped"
  /** Its outs came back from the run-cache: not run. */
  | "restored"
  /** It ran (every attempt) and failed, or could not be prepared. */
  | "failed"
  /** Something upstream failed, so it was not started. */
  | "not-run-upstream-failed"
  /** The repro was cancelled before or while it ran. */
  | "cancelled";

export interface ScheduledStage {
  name: string;
  /** Names of the plan's stages it depends on directly; stages outside the plan are ignored. */
  upstream: readonly string[];
  /**
   * Plan stages it only starts after, whatever their outcome: an order with no dependency, so a failure
   * there neither skips this stage nor stops it under `keepGoing` (`-s` items, which dvc runs one by one
   * with no graph between them).
   */
  after?: readonly string[];
}

export interface StageAttempt {
  outcome: StageOutcome;
}

export interface ScheduleOptions<R extends StageAttempt> {
  /** At most this many stages run at once (at least 1). */
  jobs: number;
  /** Runs one attempt of a stage (1-based); should report failures as results, not throw. */
  run: (name: string, attempt: number, signal: AbortSignal | undefined) => Promise<R>;
  /** Turns a throw of `run` into a result (outcome `failed`). */
  fromError: (name: string, error: unknown) => R;
  /** The result of a stage that was never started. */
  notRun: (
    name: string,
    why:
      | { outcome: "not-run-upstream-failed"; failed: string }
      /** `failed`: the stage whose failure stopped the schedule (without keepGoing). */
      | { outcome: "cancelled"; failed?: string },
  ) => R;
  /** After a failure, still start the stages that do not depend on it (dvc's `--keep-going`). */
  keepGoing?: boolean;
  /** A failure stops nothing: its dependants start too (dvc's `--ignore-errors`). */
  ignoreErrors?: boolean;
  /** Extra attempts after a failure, per stage; 0 by default. */
  retries?: (name: string) => number;
  /** Called before each retry, e.g. to print it. */
  onRetry?: (name: string, attempt: number, previous: R) => void;
  /**
   * Whether a ready stage may start now (e.g. its GPUs are free); false keeps it waiting, without taking a
   * job slot, until another stage finishes. When nothing runs, a refused stage starts anyway, so a request
   * that can never be met fails in the stage instead of stalling the schedule.
   */
  canStart?: (name: string) => boolean;
  /** Called once per stage with its final result (after retries, or when it was never started). */
  onSettled?: (name: string, result: R) => Promise<void> | void;
  signal?: AbortSignal;
}

/** Runs the plan; the map holds one result per stage, in plan order. */
export async function runSchedule<R extends StageAttempt>(
  plan: readonly ScheduledStage[],
  options: ScheduleOptions<R>,
): Promise<Map<string, R>> {
  const jobs = Math.max(1, Math.floor(options.jobs));
  const inPlan = new Set(plan.map((stage) => stage.name));
  const upstreamOf = new Map(
    plan.map((stage) => [
      stage.name,
      stage.upstream.filter((name) => inPlan.has(name) && name !== stage.name),
    ]),
  );
  const waitsFor = new Map(
    plan.map((stage) => [
      stage.name,
      [...(upstreamOf.get(stage.name) ?? []), ...(stage.after ?? [])].filter(
        (name) => inPlan.has(name) && name !== stage.name,
      ),
    ]),
  );
  const results = new Map<string, R>();
  const running = new Map<string, Promise<void>>();
  const waiting = plan.map((stage) => stage.name);

  const runWithRetries = async (name: string): Promise<R> => {
    const extra = Math.max(0, options.retries?.(name) ?? 0);
    let result: R | undefined;
    for (let attempt = 1; attempt <= extra + 1; attempt++) {
      if (result !== undefined) options.onRetry?.(name, attempt, result);
      try {
        result = await options.run(name, attempt, options.signal);
      } catch (error) {
        result = options.fromError(name, error);
      }
      if (result.outcome !== "failed" || options.signal?.aborted) break;
    }
    // The loop runs at least once.
    await settle(name, result as R);
    return result as R;
  };
  const settling: Promise<void>[] = [];
  const settle = async (name: string, result: R): Promise<void> => {
    try {
      await options.onSettled?.(name, result);
    } catch {
      // A report that fails must not stop the pipeline; the caller's hook owns its errors.
    }
  };
  const notRun = (name: string, result: R): void => {
    results.set(name, result);
    settling.push(settle(name, result));
  };

  /** The first upstream stage (transitively) that did not finish well, if any. */
  const blockedBy = (name: string): string | undefined => {
    if (options.ignoreErrors === true) return undefined;
    for (const up of upstreamOf.get(name) ?? []) {
      const done = results.get(up);
      if (done === undefined) continue;
      if (done.outcome === "failed") return up;
      if (done.outcome === "not-run-upstream-failed" || done.outcome === "cancelled") {
        return blockedBy(up) ?? up;
      }
    }
    return undefined;
  };
  const isReady = (name: string): boolean =>
    (waitsFor.get(name) ?? []).every((up) => results.has(up) && !running.has(up));

  /** The first stage that failed, once one has and the schedule does not keep going. */
  const stoppedBy = (): string | undefined => {
    if (options.keepGoing === true || options.ignoreErrors === true) return undefined;
    for (const [name, result] of results) if (result.outcome === "failed") return name;
    return undefined;
  };

  let admitRefused = false;
  for (;;) {
    // Settle what can no longer run, then start what is ready, in plan order. A stage refused when nothing
    // ran is forced in only while nothing runs still: another one admitted first (in plan order) may run.
    const forceAdmit = admitRefused;
    admitRefused = false;
    const stopped = stoppedBy();
    for (let i = 0; i < waiting.length;) {
      const name = waiting[i] as string;
      if (options.signal?.aborted || stopped !== undefined) {
        const failed = stopped === undefined ? undefined : blockedBy(name);
        notRun(
          name,
          failed !== undefined
            ? options.notRun(name, { outcome: "not-run-upstream-failed", failed })
            : options.notRun(name, {
                outcome: "cancelled",
                ...(stopped !== undefined ? { failed: stopped } : {}),
              }),
        );
        waiting.splice(i, 1);
        continue;
      }
      if (!isReady(name)) {
        i++;
        continue;
      }
      const failed = blockedBy(name);
      if (failed !== undefined) {
        notRun(name, options.notRun(name, { outcome: "not-run-upstream-failed", failed }));
        waiting.splice(i, 1);
        continue;
      }
      if (running.size >= jobs) {
        i++;
        continue;
      }
      if (options.canStart?.(name) === false && !(forceAdmit && running.size === 0)) {
        admitRefused = true;
        i++;
        continue;
      }
      waiting.splice(i, 1);
      running.set(
        name,
        runWithRetries(name).then((result) => {
          results.set(name, result);
          running.delete(name);
        }),
      );
    }
    if (running.size === 0) {
      if (waiting.length === 0) break;
      if (admitRefused) continue;
      // Only possible when the plan's upstream names form a cycle; the DAG builder rejects those first.
      for (const name of waiting.splice(0)) {
        notRun(name, options.fromError(name, new Error(`stage '${name}' waits on itself through a cycle`)));
      }
      break;
    }
    await Promise.race(running.values());
  }
  await Promise.all(settling);
  return new Map(plan.map((stage) => [stage.name, results.get(stage.name) as R]));
}
