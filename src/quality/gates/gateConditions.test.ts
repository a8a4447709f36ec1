import { describe, expect, it } from "vitest";
import {
  COMPARISON_OPERATORS,
  ConditionSyntaxError,
  compareValues,
  parseCondition,
  type ComparisonOperator,
} from "./gateConditions.js";

function rhsOf(text: string): unknown {
  const condition = parseCondition(text);
  return condition.kind === "compare" ? condition.rhs : undefined;
}

describe("gate condition grammar", () => {
  it("parses a metric compared with a number", () => {
    expect(parseCondition("accuracy >= 0.9")).toEqual({
      kind: "compare",
      text: "accuracy >= 0.9",
      metric: "accuracy",
      op: ">=",
      rhs: { kind: "number", value: 0.9 },
    });
    expect(parseCondition("  log_loss<1e-1 ")).toMatchObject({
      metric: "log_loss",
      op: "<",
      rhs: { value: 0.1 },
    });
  });

  it("parses every operator", () => {
    for (const op of COMPARISON_OPERATORS) {
      expect(parseCondition(`m ${op} -2`)).toMatchObject({ op, rhs: { kind: "number", value: -2 } });
    }
  });

  it("parses champion references with and without an offset", () => {
    expect(rhsOf("f1_macro >= champion.f1_macro - 0.01")).toEqual({
      kind: "champion",
      metric: "f1_macro",
      offset: -0.01,
    });
    expect(rhsOf("mae <= champion.mae+0.5")).toEqual({
      kind: "champion",
      metric: "mae",
      offset: 0.5,
    });
    expect(rhsOf("auc > champion.auc")).toEqual({ kind: "champion", metric: "auc", offset: 0 });
  });

  it("reads a hyphen before a number as subtraction, and inside a name as part of it", () => {
    expect(rhsOf("f1 >= champion.f1-0.01")).toEqual({
      kind: "champion",
      metric: "f1",
      offset: -0.01,
    });
    expect(parseCondition("val-loss <= champion.val-loss")).toMatchObject({
      metric: "val-loss",
      rhs: { metric: "val-loss", offset: 0 },
    });
  });

  it("parses expectations: all pass", () => {
    expect(parseCondition("expectations: all pass")).toEqual({
      kind: "expectations",
      text: "expectations: all pass",
    });
  });

  it("rejects unknown operators, bad right sides and champion on the left", () => {
    expect(() => parseCondition("accuracy => 0.9")).toThrow(ConditionSyntaxError);
    expect(() => parseCondition("accuracy >= high")).toThrow(/right side 'high' is neither a number/);
    expect(() => parseCondition("accuracy >= champion.acc * 2")).toThrow(/right side/);
    expect(() => parseCondition("champion.acc >= 0.5")).toThrow(
      /left side must be a metric of the evaluated run/,
    );
    expect(() => parseCondition("expectations: some pass")).toThrow(/expected '<metric> <op> <number>'/);
  });
});

describe("condition comparison", () => {
  const cases: Array<[ComparisonOperator, number, number, boolean]> = [
    [">=", 0.9, 0.9, true],
    [">=", 0.89, 0.9, false],
    [">", 0.9, 0.9, false],
    [">", 0.91, 0.9, true],
    ["<=", 0.9, 0.9, true],
    ["<=", 0.91, 0.9, false],
    ["<", 0.9, 0.9, false],
    ["<", 0.1, 0.9, true],
    ["==", 1, 1, true],
    ["==", 1, 2, false],
    ["!=", 1, 2, true],
    ["!=", 2, 2, false],
  ];
  it.each(cases)("%s holds for %d against %d: %s", (op, observed, threshold, expected) => {
    expect(compareValues(observed, op, threshold)).toBe(expected);
  });

  it("never lets NaN pass, whatever the operator", () => {
    for (const op of COMPARISON_OPERATORS) expect(compareValues(Number.NaN, op, 0)).toBe(false);
  });
});
