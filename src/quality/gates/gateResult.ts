/**
 * The outcome of evaluating a gate policy: one line per condition with what was observed and what it was
 * held to. It is stored whole in gate records and rendered by gateReport, so it is plain JSON data.
 */

export interface ConditionResult {
  /** The condition as written in the policy. */
  condition: string;
  /** 1-based line of the condition in the policy file. */
  line: number;
  passed: boolean;
  /** The evaluated run's metric value; null when the run did not log it. */
  observed: number | null;
  /** The value compared against (champion arithmetic applied); null when there was nothing to compare. */
  threshold: number | null;
  /** Why it passed or failed, in words. */
  message: string;
}

/** The version the policy's champion alias pointed to when the gate ran. */
export interface GateChampion {
  alias: string;
  model_name: string;
  version: string;
  /** The run whose metrics are `champion.<metric>`; null when the version names none. */
  run_id: string | null;
}

export interface GateResult {
  policy_name: string;
  policy_file: string;
  policy_digest: string;
  run_id: string;
  model_name?: string;
  version?: string;
  passed: boolean;
  champion_alias: string;
  champion: GateChampion | null;
  conditions: ConditionResult[];
  /** Facts worth knowing that did not fail anything, e.g. "no champion: first version". */
  notes: string[];
  /** Epoch milliseconds. */
  evaluated_at: number;
}

/** Numbers in messages and reports: at most 12 significant digits, without trailing float noise. */
export function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(12))) : String(value);
}
