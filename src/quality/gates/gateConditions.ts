/**
 * The condition grammar of gate policies and its evaluation against metric values. A condition is
 * `<metric> <op> <rhs>` (op one of >=, >, <=, <, ==, !=; rhs a number or `champion.<metric>` with an
 * optional `+ n` / `- n`), or `expectations: all pass`. This module only parses and compares: where the
 * metric values come from (the run, the champion's run) is evaluateGate's business.
 */

export const COMPARISON_OPERATORS = [">=", ">", "<=", "<", "==", "!="] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** The metric `flowops validate` logs; `expectations: all pass` holds when it is 0. */
export const UNSUCCESSFUL_EXPECTATIONS_METRIC = "validation_unsuccessful_expectations";
export const EXPECTATIONS_ALL_PASS = "expectations: all pass";

export type ConditionThreshold =
  { kind: "number"; value: number } | { kind: "champion"; metric: string; offset: number };

export type GateCondition =
  | { kind: "compare"; text: string; metric: string; op: ComparisonOperator; rhs: ConditionThreshold }
  | { kind: "expectations"; text: string };

export const CONDITION_SYNTAX =
  "expected '<metric> <op> <number>' or '<metric> <op> champion.<metric> [+|- <number>]' with <op> one of " +
  `${COMPARISON_OPERATORS.join(", ")}, or '${EXPECTATIONS_ALL_PASS}'`;

// A hyphen may join name parts (`val-loss`) but never starts a number, so `champion.f1-0.01` reads as
// `champion.f1 - 0.01`.
const METRIC = String.raw`[A-Za-z_][A-Za-z0-9_./]*(?:-[A-Za-z_][A-Za-z0-9_./]*)*`;
const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const OPERATOR = ">=|<=|==|!=|>|<";
const COMPARISON = new RegExp(String.raw`^(${METRIC})\s*(${OPERATOR})\s*(.+)$`);
const NUMBER_ONLY = new RegExp(String.raw`^${NUMBER}$`);
const CHAMPION_RHS = new RegExp(String.raw`^champion\.(${METRIC})(?:\s*([+-])\s*(${NUMBER}))?$`);

/** Parses one condition; the error message says what was wrong, the caller adds file and line. */
export function parseCondition(text: string): GateCondition {
  const trimmed = text.trim();
  if (/^expectations\s*:\s*all\s+pass$/i.test(trimmed)) return { kind: "expectations", text: trimmed };
  const match = COMPARISON.exec(trimmed);
  if (match === null) throw new ConditionSyntaxError(`condition '${trimmed}': ${CONDITION_SYNTAX}`);
  const [, metric = "", op = "", rhsText = ""] = match;
  if (metric.startsWith("champion.")) {
    throw new ConditionSyntaxError(
      `condition '${trimmed}': the left side must be a metric of the evaluated run, not of the champion`,
    );
  }
  return {
    kind: "compare",
    text: trimmed,
    metric,
    op: op as ComparisonOperator,
    rhs: parseRhs(trimmed, rhsText),
  };
}

function parseRhs(condition: string, text: string): ConditionThreshold {
  const rhs = text.trim();
  if (NUMBER_ONLY.test(rhs)) return { kind: "number", value: Number(rhs) };
  const champion = CHAMPION_RHS.exec(rhs);
  if (champion !== null) {
    const [, metric = "", sign, amount] = champion;
    const offset = amount === undefined ? 0 : Number(amount) * (sign === "-" ? -1 : 1);
    return { kind: "champion", metric, offset };
  }
  throw new ConditionSyntaxError(
    `condition '${condition}': right side '${rhs}' is neither a number nor champion.<metric> [+|- <number>]`,
  );
}

/** Compares two finite numbers; NaN never satisfies any operator (not even !=), so a NaN metric fails. */
export function compareValues(observed: number, op: ComparisonOperator, threshold: number): boolean {
  if (Number.isNaN(observed) || Number.isNaN(threshold)) return false;
  switch (op) {
    case ">=":
      return observed >= threshold;
    case ">":
      return observed > threshold;
    case "<=":
      return observed <= threshold;
    case "<":
      return observed < threshold;
    case "==":
      return observed === threshold;
    case "!=":
      return observed !== threshold;
    default:
      return assertNever(op);
  }
}

/** Whether the condition compares against the champion, so it needs the champion's metrics. */
export function usesChampion(condition: GateCondition): boolean {
  return condition.kind === "compare" && condition.rhs.kind === "champion";
}

/** A syntax problem in one condition; gatePolicy turns it into a FlowOpsError with the file and line. */
export class ConditionSyntaxError extends Error {
  override readonly name = "ConditionSyntaxError";
}

function assertNever(value: never): never {
  throw new Error(`unexpected operator ${String(value)}`);
}
