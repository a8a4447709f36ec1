/**
 * The success and failure conditions of an AnalysisTemplate metric. Argo Rollouts evaluates them with the
 * `expr` language against `result` (a number, or the vector a Prometheus query returns); this is the subset
 * FlowOps templates use, parsed once so a typo is reported with its column before any measurement is taken.
 * Evaluation never throws anything but `ConditionEvaluationError`, which the analysis run records as an
 * Error measurement, as Argo does.
 */
import { parseConditionSyntax, type BinaryOp, type FunctionName, type Node } from "./conditionSyntax.js";

/** What a metric provider measured: one number, a vector of numbers, or nothing (an empty query result). */
export type MetricValue = number | readonly number[] | null;

export interface Condition {
  /** The expression as written, kept so events can say which condition a value failed. */
  readonly text: string;
  /** True or false; throws `ConditionEvaluationError` when the expression cannot be evaluated on `result`. */
  evaluate(result: MetricValue): boolean;
}

/** A condition that parsed but could not be evaluated (index out of range, a vector where a number belongs). */
export class ConditionEvaluationError extends Error {
  override readonly name = "ConditionEvaluationError";
}

type Value = number | boolean | readonly number[] | null;

/**
 * Parses a condition; `field` names it in errors, e.g. `metrics[0].failureCondition: unexpected ')' at column 12`.
 *
 * @example parseCondition("result[0] >= 0.95", "successCondition").evaluate([0.97]) // true
 */
export function parseCondition(text: string, field: string): Condition {
  const root = parseConditionSyntax(text, field);
  return {
    text,
    evaluate(result: MetricValue): boolean {
      const value = evaluateNode(root, { result, element: undefined });
      if (typeof value !== "boolean") {
        throw new ConditionEvaluationError(
          `${field}: expected a boolean, but '${text}' gave ${describe(value)}`,
        );
      }
      return value;
    },
  };
}

interface Scope {
  readonly result: MetricValue;
  /** The element `#` stands for inside an all/any predicate. */
  readonly element: number | undefined;
}

function describe(value: Value): string {
  if (value === null) return "nil";
  if (Array.isArray(value)) return `a vector [${value.join(", ")}]`;
  return `${typeof value} ${String(value)}`;
}

function fail(message: string): never {
  throw new ConditionEvaluationError(message);
}

function asNumber(value: Value, where: string): number {
  if (typeof value === "number") return value;
  return fail(`${where} needs a number, got ${describe(value)}`);
}

function asBoolean(value: Value, where: string): boolean {
  if (typeof value === "boolean") return value;
  return fail(`${where} needs a boolean, got ${describe(value)}`);
}

function asVector(value: Value, where: string): readonly number[] {
  if (Array.isArray(value)) return value as readonly number[];
  return fail(`${where} needs a vector, got ${describe(value)}`);
}

function evaluateNode(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case "number":
    case "bool":
      return node.value;
    case "nil":
      return null;
    case "result":
      return scope.result;
    case "element":
      return scope.element ?? fail("'#' used outside all(...) or any(...)");
    case "index": {
      const vector = asVector(evaluateNode(node.target, scope), "indexing");
      const index = asNumber(evaluateNode(node.index, scope), "an index");
      const position = index < 0 ? vector.length + index : index;
      if (!Number.isInteger(index) || position < 0 || position >= vector.length) {
        return fail(`index ${index} out of range for a vector of length ${vector.length}`);
      }
      return vector[position] as number;
    }
    case "unary": {
      const operand = evaluateNode(node.operand, scope);
      if (node.op === "!") return !asBoolean(operand, "'!'");
      const number = asNumber(operand, `unary '${node.op}'`);
      return node.op === "-" ? -number : number;
    }
    case "binary":
      return evaluateBinary(node.op, node.left, node.right, scope);
    case "call":
      return evaluateCall(node.name, node.args, scope);
  }
}

function evaluateBinary(op: BinaryOp, leftNode: Node, rightNode: Node, scope: Scope): Value {
  const left = evaluateNode(leftNode, scope);
  // && and || short-circuit, so `len(result) > 0 && result[0] < 1` is safe on an empty vector.
  if (op === "&&") return asBoolean(left, "'&&'") && asBoolean(evaluateNode(rightNode, scope), "'&&'");
  if (op === "||") return asBoolean(left, "'||'") || asBoolean(evaluateNode(rightNode, scope), "'||'");
  const right = evaluateNode(rightNode, scope);
  switch (op) {
    case "==":
      return valuesEqual(left, right);
    case "!=":
      return !valuesEqual(left, right);
    case "<":
      return asNumber(left, "'<'") < asNumber(right, "'<'");
    case "<=":
      return asNumber(left, "'<='") <= asNumber(right, "'<='");
    case ">":
      return asNumber(left, "'>'") > asNumber(right, "'>'");
    case ">=":
      return asNumber(left, "'>='") >= asNumber(right, "'>='");
    case "+":
      return asNumber(left, "'+'") + asNumber(right, "'+'");
    case "-":
      return asNumber(left, "'-'") - asNumber(right, "'-'");
    case "*":
      return asNumber(left, "'*'") * asNumber(right, "'*'");
    case "/":
      return asNumber(left, "'/'") / asNumber(right, "'/'");
    case "%": {
      const divisor = asNumber(right, "'%'");
      if (divisor === 0) return fail("modulo by zero");
      return asNumber(left, "'%'") % divisor;
    }
  }
}

function valuesEqual(left: Value, right: Value): boolean {
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, i) => item === right[i]);
  }
  return left === right;
}

function evaluateCall(name: FunctionName, args: readonly Node[], scope: Scope): Value {
  const [first, second] = args as [Node, Node];
  switch (name) {
    case "len":
      return asVector(evaluateNode(first, scope), "len()").length;
    case "isNaN":
      return Number.isNaN(asNumber(evaluateNode(first, scope), "isNaN()"));
    case "isInf": {
      const number = asNumber(evaluateNode(first, scope), "isInf()");
      return number === Infinity || number === -Infinity;
    }
    case "abs":
      return Math.abs(asNumber(evaluateNode(first, scope), "abs()"));
    case "asFloat":
      return asNumber(evaluateNode(first, scope), "asFloat()");
    case "asInt":
      return Math.trunc(asNumber(evaluateNode(first, scope), "asInt()"));
    case "default": {
      const value = evaluateNode(first, scope);
      return value === null ? evaluateNode(second, scope) : value;
    }
    case "all":
    case "any": {
      const vector = asVector(evaluateNode(first, scope), `${name}()`);
      const test = (element: number): boolean =>
        asBoolean(evaluateNode(second, { result: scope.result, element }), `${name}() predicate`);
      return name === "all" ? vector.every(test) : vector.some(test);
    }
  }
}
