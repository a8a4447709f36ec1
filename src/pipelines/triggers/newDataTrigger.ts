/**
 * The new-data trigger: fires the pipeline when a dataset has grown by at least `threshold` samples since
 * the last successful repro it started. The baseline (the sample count when that repro started) is kept
 * per dataset in `.dvc/tmp/flowops/new-data-state.json`; the first check only records a baseline, since
 * nothing says which samples the existing outputs were built from. The count is injected so tests need
 * no data files.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { FlowOpsError, invalidParameter } from "../../errors.js";
import type { TriggerRecord } from "./triggerLog.js";
import type { TriggerRunner } from "./triggerRunner.js";

export interface NewDataBaseline {
  samples: number;
  /** Epoch milliseconds. */
  recorded_at: number;
  run_id?: string;
}

export interface NewDataState {
  read(dataset: string): Promise<NewDataBaseline | undefined>;
  write(dataset: string, baseline: NewDataBaseline): Promise<void>;
}

export interface NewDataCheck {
  dataset: string;
  current: number;
  /** Undefined on the first check, which records the baseline instead of firing. */
  baseline: number | undefined;
  newSamples: number;
  threshold: number;
  due: boolean;
}

export interface NewDataTriggerOptions {
  /** The name the baseline is kept under (the dataset's repository-relative POSIX path). */
  dataset: string;
  /** Names an existing baseline may still be kept under (older versions used the path as typed). */
  formerNames?: readonly string[];
  threshold: number;
  countSamples: () => Promise<number>;
  state: NewDataState;
  runner: TriggerRunner;
  now?: () => number;
}

export function newDataStatePath(tmpDir: string): string {
  return join(tmpDir, "flowops", "new-data-state.json");
}

export class NewDataTrigger {
  private readonly options: NewDataTriggerOptions;
  private readonly now: () => number;

  constructor(options: NewDataTriggerOptions) {
    if (!Number.isSafeInteger(options.threshold) || options.threshold < 1) {
      throw invalidParameter(`--threshold must be a positive integer, got ${options.threshold}.`);
    }
    this.options = options;
    this.now = options.now ?? (() => Date.now());
  }

  async check(): Promise<NewDataCheck> {
    const { dataset, threshold } = this.options;
    const current = await this.options.countSamples();
    const baseline = (await this.readBaseline())?.samples;
    // A dataset that shrank (rewritten, deduplicated) has no new samples until it passes the baseline again.
    const newSamples = baseline === undefined ? 0 : Math.max(0, current - baseline);
    return {
      dataset,
      current,
      baseline,
      newSamples,
      threshold,
      due: baseline !== undefined && newSamples >= threshold,
    };
  }

  private async readBaseline(): Promise<NewDataBaseline | undefined> {
    for (const name of [this.options.dataset, ...(this.options.formerNames ?? [])]) {
      const baseline = await this.options.state.read(name);
      if (baseline !== undefined) return baseline;
    }
    return undefined;
  }

  /** One check; fires when due, and moves the baseline only when the run succeeded. */
  async poll(): Promise<{ check: NewDataCheck; firing?: TriggerRecord }> {
    const check = await this.check();
    if (check.baseline === undefined) {
      await this.options.state.write(check.dataset, { samples: check.current, recorded_at: this.now() });
      return { check };
    }
    if (!check.due) return { check };
    const firing = await this.options.runner.fire(
      "new-data",
      `${check.newSamples} new sample${check.newSamples === 1 ? "" : "s"} in ${check.dataset} (threshold ${check.threshold})`,
    );
    if (firing.outcome === "succeeded") {
      // The count taken before the run: samples that arrived during it are counted for the next firing.
      await this.options.state.write(check.dataset, {
        samples: check.current,
        recorded_at: this.now(),
        ...(firing.run_id === undefined ? {} : { run_id: firing.run_id }),
      });
    }
    return { check, firing };
  }
}

/** Baselines in one JSON file `{ "datasets": { name: baseline } }`, rewritten atomically. */
export function fileNewDataState(path: string): NewDataState {
  const load = async (): Promise<Record<string, NewDataBaseline>> => {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as { datasets?: Record<string, NewDataBaseline> };
      return parsed.datasets ?? {};
    } catch (error) {
      throw new FlowOpsError(
        "DATA_LOSS",
        `${path}: not valid JSON (${(error as Error).message}); delete it to reset the baselines.`,
      );
    }
  };
  return {
    async read(dataset) {
      return (await load())[dataset];
    },
    async write(dataset, baseline) {
      const datasets = { ...(await load()), [dataset]: baseline };
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${randomUUID()}.tmp`;
      try {
        await writeFile(temp, `${JSON.stringify({ datasets }, null, 2)}\n`, "utf8");
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
  };
}
