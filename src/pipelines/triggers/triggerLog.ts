/**
 * The record of pipeline trigger firings: one JSON line per state change under
 * `.dvc/tmp/flowops/pipeline-triggers.jsonl`. A firing is appended once when it starts (`running`) and
 * once when it ends, under the same id; reading keeps the last line per id, so a firing that never ended
 * (the process died) still shows as `running`.
 *
 * Why a file in the repository and not a server table: triggers fire where the repository is (the
 * new-data baseline, the cron loop and `repro` all work on the checkout) and must work with no tracking
 * server at all; `.dvc/tmp` is already ignored by git, as DVC's own state is.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { FlowOpsError } from "../../errors.js";

export const TRIGGER_KINDS = ["new-data", "schedule", "webhook", "manual"] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/**
 * `skipped`: another firing of the same pipeline was still running (or the session was stopping), so this
 * one did not start a run. `cancelled`: the session was stopped (Ctrl-C) and the run it had started was
 * cancelled, so its outcome says nothing about the pipeline itself.
 */
export const TRIGGER_OUTCOMES = ["running", "succeeded", "failed", "error", "skipped", "cancelled"] as const;
export type TriggerOutcome = (typeof TRIGGER_OUTCOMES)[number];

export interface TriggerRecord {
  id: string;
  pipeline: string;
  kind: TriggerKind;
  reason: string;
  /** Epoch milliseconds. */
  fired_at: number;
  finished_at?: number;
  outcome: TriggerOutcome;
  /**
   * The run id the runner reported: the MLflow parent run when the repro was tracked, else repro's own id
   * (naming its logs under `.dvc/tmp/flowops/logs/<id>/`).
   */
  run_id?: string;
  /** Why a firing failed, errored, was skipped or was cancelled. */
  message?: string;
}

export interface TriggerLog {
  append(record: TriggerRecord): Promise<void>;
  /** Firings in the order they started, each in its latest state; the newest `limit` when given. */
  list(options?: { limit?: number }): Promise<TriggerRecord[]>;
}

export function triggerLogPath(tmpDir: string): string {
  return join(tmpDir, "flowops", "pipeline-triggers.jsonl");
}

export function jsonlTriggerLog(path: string): TriggerLog {
  return {
    async append(record) {
      await mkdir(dirname(path), { recursive: true });
      // One write with O_APPEND: concurrent writers (cron loop and webhook) never interleave a line.
      await appendFile(path, `${JSON.stringify(record)}\n`, "utf8");
    },
    async list(options = {}) {
      const latest = new Map<string, TriggerRecord>();
      for (const record of await readRecords(path)) latest.set(record.id, record);
      const all = [...latest.values()];
      return options.limit === undefined ? all : all.slice(Math.max(0, all.length - options.limit));
    },
  };
}

async function readRecords(path: string): Promise<TriggerRecord[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const lines = text.split("\n");
  const records: TriggerRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const record = parseRecord(line);
    // A last line without its newline is a write cut short by a crash: skip it rather than fail.
    if (record === undefined && index === lines.length - 1) return;
    if (record === undefined) {
      throw new FlowOpsError(
        "DATA_LOSS",
        `${path}:${index + 1}: not a trigger record: ${line.slice(0, 120)}`,
      );
    }
    records.push(record);
  });
  return records;
}

function parseRecord(line: string): TriggerRecord | undefined {
  try {
    const value = JSON.parse(line) as Partial<TriggerRecord> | null;
    if (
      value === null ||
      typeof value !== "object" ||
      typeof value.id !== "string" ||
      typeof value.pipeline !== "string" ||
      typeof value.fired_at !== "number" ||
      !(TRIGGER_KINDS as readonly unknown[]).includes(value.kind) ||
      !(TRIGGER_OUTCOMES as readonly unknown[]).includes(value.outcome)
    ) {
      return undefined;
    }
    return value as TriggerRecord;
  } catch {
    return undefined;
  }
}
