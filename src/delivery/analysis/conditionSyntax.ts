/**
 * The grammar of analysis conditions: tokens, precedence and the syntax tree of the `expr` subset that Argo
 * Rollouts' success and failure conditions use. Parsing only; `conditionExpression.ts` evaluates the tree.
 */
import { FlowOpsError } from "../../errors.js";

export type Node =
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "nil" }
  | { kind: "result" }
  | { kind: "element" }
  | { kind: "index"; target: Node; index: Node }
  | { kind: "unary"; op: "!" | "-" | "+"; operand: Node }
  | { kind: "binary"; op: BinaryOp; left: Node; right: Node }
  | { kind: "call"; name: FunctionName; args: Node[] };

export type BinaryOp = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%";

const FUNCTIONS = ["len", "isNaN", "isInf", "abs", "all", "any", "default", "asFloat", "asInt"] as const;
export type FunctionName = (typeof FUNCTIONS)[number];
const ARITY: Record<FunctionName, number> = {
  len: 1,
  isNaN: 1,
  isInf: 1,
  abs: 1,
  all: 2,
  any: 2,
  default: 2,
  asFloat: 1,
  asInt: 1,
};

/** Binding power of each binary operator, as in expr: or < and < comparison < additive < multiplicative. */
const PRECEDENCE: Record<BinaryOp, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 3,
  "<=": 3,
  ">": 3,
  ">=": 3,
  "+": 4,
  "-": 4,
  "*": 5,
  "/": 5,
  "%": 5,
};

interface Token {
  readonly type: "number" | "name" | "op" | "end";
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

const OPERATORS = [
  "&&",
  "||",
  "==",
  "!=",
  "<=",
  ">=",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "!",
  "(",
  ")",
  "[",
  "]",
  ",",
  "#",
];

function tokenize(text: string, field: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? "";
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const rest = text.slice(i);
    const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (number !== null) {
      tokens.push({ type: "number", text: number[0], column: i + 1 });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name !== null) {
      tokens.push({ type: "name", text: name[0], column: i + 1 });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (op === undefined) throw parseError(field, `unexpected '${ch}' at column ${i + 1}`);
    tokens.push({ type: "op", text: op, column: i + 1 });
    i += op.length;
  }
  tokens.push({ type: "end", text: "", column: text.length + 1 });
  return tokens;
}

function parseError(field: string, message: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `${field}: ${message}`);
}

class Parser {
  private position = 0;
  /** How many `all`/`any` predicates enclose the current token; `#` is only meaningful inside one. */
  private predicateDepth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly field: string,
  ) {}

  parseAll(): Node {
    const node = this.expression(0);
    const next = this.peek();
    if (next.type !== "end") throw this.unexpected(next, "an operator or the end of the condition");
    return node;
  }

  private peek(): Token {
    return this.tokens[this.position] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private next(): Token {
    const token = this.peek();
    this.position += 1;
    return token;
  }

  private unexpected(token: Token, expected: string): FlowOpsError {
    const what = token.type === "end" ? "end of condition" : `'${token.text}'`;
    return parseError(this.field, `unexpected ${what} at column ${token.column}, expected ${expected}`);
  }

  private expect(text: string): void {
    const token = this.next();
    if (token.text !== text || token.type === "end") throw this.unexpected(token, `'${text}'`);
  }

  private binaryOperator(token: Token): BinaryOp | undefined {
    if (token.type === "name") {
      if (token.text === "and") return "&&";
      if (token.text === "or") return "||";
      return undefined;
    }
    if (token.type === "op" && token.text in PRECEDENCE) return token.text as BinaryOp;
    return undefined;
  }

  private expression(minPrecedence: number): Node {
    let left = this.unary();
    for (;;) {
      const op = this.binaryOperator(this.peek());
      if (op === undefined || PRECEDENCE[op] <= minPrecedence) return left;
      this.next();
      const right = this.expression(PRECEDENCE[op]);
      left = { kind: "binary", op, left, right };
    }
  }

  private unary(): Node {
    const token = this.peek();
    if (
      (token.type === "op" && (token.text === "!" || token.text === "-" || token.text === "+")) ||
      isNot(token)
    ) {
      this.next();
      const op = token.text === "not" ? "!" : (token.text as "!" | "-" | "+");
      return { kind: "unary", op, operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    let current = node;
    while (this.peek().type === "op" && this.peek().text === "[") {
      this.next();
      const index = this.expression(0);
      this.expect("]");
      current = { kind: "index", target: current, index };
    }
    return current;
  }

  private primary(): Node {
    const token = this.next();
    if (token.type === "number") return { kind: "number", value: Number(token.text) };
    if (token.type === "op" && token.text === "(") {
      const inner = this.expression(0);
      this.expect(")");
      return inner;
    }
    if (token.type === "op" && token.text === "#") {
      if (this.predicateDepth === 0) {
        throw parseError(
          this.field,
          `'#' at column ${token.column} is only allowed inside all(...) or any(...)`,
        );
      }
      return { kind: "element" };
    }
    if (token.type === "name") {
      switch (token.text) {
        case "result":
          return { kind: "result" };
        case "true":
          return { kind: "bool", value: true };
        case "false":
          return { kind: "bool", value: false };
        case "nil":
          return { kind: "nil" };
      }
      if ((FUNCTIONS as readonly string[]).includes(token.text)) return this.call(token);
      throw parseError(
        this.field,
        `unknown name '${token.text}' at column ${token.column}, expected result, true, false, nil or one of ${FUNCTIONS.join(", ")}`,
      );
    }
    throw this.unexpected(token, "a number, result, a function call or '('");
  }

  private call(nameToken: Token): Node {
    const name = nameToken.text as FunctionName;
    this.expect("(");
    const args: Node[] = [];
    if (!(this.peek().type === "op" && this.peek().text === ")")) {
      for (;;) {
        const isPredicate = (name === "all" || name === "any") && args.length === 1;
        if (isPredicate) this.predicateDepth += 1;
        args.push(this.expression(0));
        if (isPredicate) this.predicateDepth -= 1;
        if (this.peek().type === "op" && this.peek().text === ",") {
          this.next();
          continue;
        }
        break;
      }
    }
    this.expect(")");
    if (args.length !== ARITY[name]) {
      throw parseError(
        this.field,
        `${name}() at column ${nameToken.column} takes ${ARITY[name]} argument${ARITY[name] === 1 ? "" : "s"}, got ${args.length}`,
      );
    }
    return { kind: "call", name, args };
  }
}

function isNot(token: Token): boolean {
  return token.type === "name" && token.text === "not";
}

/** Parses `text` into a syntax tree; errors read `field: unexpected ')' at column 12, expected ...`. */
export function parseConditionSyntax(text: string, field: string): Node {
  if (text.trim() === "") throw parseError(field, "the condition is empty");
  return new Parser(tokenize(text, field), field).parseAll();
}
