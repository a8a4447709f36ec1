import { describe, expect, it } from "vitest";
import { ConditionEvaluationError, parseCondition, type MetricValue } from "./conditionExpression.js";

const evaluate = (text: string, result: MetricValue): boolean =>
  parseCondition(text, "successCondition").evaluate(result);

describe("parseCondition", () => {
  it.each<[string, MetricValue, boolean]>([
    ["result[0] >= 0.95", [0.97], true],
    ["result[0] >= 0.95", [0.94], false],
    ["result < 0.01", 0.001, true],
    ["result <= 1 && result > 0", 1, true],
    ["result == 3", 3, true],
    ["result != 3", 3, false],
    ["result[1] - result[0] < 0.1", [1, 1.05], true],
    ["result * 2 + 1 == 7", 3, true],
    ["result / 4 == 0.5", 2, true],
    ["result % 3 == 1", 7, true],
    ["-result < 0", 2, true],
    ["(result + 1) * 2 == 8", 3, true],
    ["result + 1 * 2 == 5", 3, true],
    ["1e-3 < result", 0.01, true],
    [".5 == result", 0.5, true],
    ["result[-1] == 3", [1, 2, 3], true],
  ])("evaluates arithmetic and comparison: %s on %j is %s", (text, result, expected) => {
    expect(evaluate(text, result)).toBe(expected);
  });

  it.each<[string, MetricValue, boolean]>([
    ["result > 0 || result < -10", -20, true],
    ["result > 0 or result < -10", -5, false],
    ["result > 0 and result < 10", 5, true],
    ["!(result > 0)", 1, false],
    ["not (result > 0)", -1, true],
    ["not false", 0, true],
    ["true && !false", 0, true],
    ["false || result == 1 && false", 1, false],
  ])("evaluates boolean operators and words: %s on %j is %s", (text, result, expected) => {
    expect(evaluate(text, result)).toBe(expected);
  });

  it.each<[string, MetricValue, boolean]>([
    ["len(result) == 0", [], true],
    ["len(result) == 2", [1, 2], true],
    ["isNaN(result)", NaN, true],
    ["isNaN(result[0])", [1], false],
    ["isInf(result)", -Infinity, true],
    ["isInf(result)", 1e308, false],
    ["abs(result) < 0.1", -0.05, true],
    ["all(result, # < 1000)", [10, 999], true],
    ["all(result, # < 1000)", [10, 1000], false],
    ["all(result, # < 1000)", [], true],
    ["any(result, # > 0)", [0, 0, 3], true],
    ["any(result, # > 0)", [], false],
    ["default(result, 0) == 0", null, true],
    ["default(result, 0) == 5", 5, true],
    ["asFloat(result) == 2.5", 2.5, true],
    ["asInt(result) == 2", 2.9, true],
    ["asInt(result[0]) == -2", [-2.9], true],
  ])("evaluates the functions Argo's conditions use: %s on %j is %s", (text, result, expected) => {
    expect(evaluate(text, result)).toBe(expected);
  });

  it("short-circuits && so a guarded index on an empty vector is not an error", () => {
    expect(evaluate("len(result) > 0 && result[0] < 1", [])).toBe(false);
    expect(evaluate("len(result) == 0 || result[0] < 1", [])).toBe(true);
  });

  it("keeps the text as written", () => {
    expect(parseCondition(" result[0] < 1 ", "failureCondition").text).toBe(" result[0] < 1 ");
  });

  it.each([
    ["result[0] >= (0.95))", "successCondition: unexpected ')' at column 20"],
    ["result >", "successCondition: unexpected end of condition at column 9"],
    ["result >= 1 0", "successCondition: unexpected '0' at column 13"],
    ["result $ 1", "successCondition: unexpected '$' at column 8"],
    ["foo > 1", "successCondition: unknown name 'foo' at column 1"],
    ["len(result, 1) == 0", "successCondition: len() at column 1 takes 1 argument, got 2"],
    ["# > 1", "successCondition: '#' at column 1 is only allowed inside all(...) or any(...)"],
    ["(result > 1", "successCondition: unexpected end of condition at column 12, expected ')'"],
    ["result[0 > 1", "expected ']'"],
    ["   ", "successCondition: the condition is empty"],
  ])("reports a parse error with its column: %s", (text, message) => {
    expect(() => parseCondition(text, "successCondition")).toThrow(message);
  });

  it("names the field given in parse errors", () => {
    expect(() => parseCondition("result )", "spec.metrics[2].failureCondition")).toThrow(
      "spec.metrics[2].failureCondition: unexpected ')' at column 8",
    );
  });

  it.each<[string, MetricValue, string]>([
    ["result[3] > 0", [1], "index 3 out of range for a vector of length 1"],
    ["result[0] > 0", 5, "indexing needs a vector, got number 5"],
    ["result > 0", [1, 2], "'>' needs a number, got a vector [1, 2]"],
    ["len(result) > 0", 4, "len() needs a vector"],
    ["result + 1", 1, "expected a boolean"],
    ["result % 0 == 1", 3, "modulo by zero"],
    ["result > 0", null, "'>' needs a number, got nil"],
    ["all(result, # + 1)", [1], "all() predicate needs a boolean"],
  ])("raises a ConditionEvaluationError, not a TypeError, when %s meets %j", (text, result, message) => {
    const condition = parseCondition(text, "failureCondition");
    expect(() => condition.evaluate(result)).toThrow(ConditionEvaluationError);
    expect(() => condition.evaluate(result)).toThrow(message);
  });
});
