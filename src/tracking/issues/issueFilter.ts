/**
 * SearchIssues' filter_string as mlflow reads it (SearchIssuesUtils): `status` and `source_run_id` compared
 * with = or != to a value, comparisons joined by AND (or by nothing: sqlparse groups them either way). Nothing
 * in it refers to traces; the only link to them is the trace count a search may ask for. mlflow strips one
 * pair of quotes from a value and then its surrounding spaces, and takes an unquoted value as written
 * (`status = pending` matches), so this does too. Its error messages are mlflow's, with its key and comparator
 * sets printed in one of the orders a Python set may take.
 */
import { invalidParameter } from "../../errors.js";
import { pythonStrRepr } from "../../pythonRepr.js";
import { closingParen, tokenize, type Token } from "../search/filterTokenizer.js";

export const ISSUE_FILTER_KEYS = ["source_run_id", "status"] as const;
export type IssueFilterKey = (typeof ISSUE_FILTER_KEYS)[number];

export interface IssueFilterClause {
  key: IssueFilterKey;
  comparator: "=" | "!=";
  value: string;
}

interface Comparison {
  left: Token;
  comparator: string;
  right: Token;
  /** The value as sqlparse's token holds it: the text as written, a parenthesized group included. */
  rightRaw: string;
}

/** An empty filter (or none) matches everything, as mlflow's handler passes `filter_string or None`. */
export function parseIssueFilter(filter: string | undefined): IssueFilterClause[] {
  if (filter === undefined || filter === "") return [];
  const semicolon = statementEnd(filter);
  const statement = semicolon === undefined ? filter : filter.slice(0, semicolon);
  const tokens = tokenize(statement, "filter");
  if (tokens.length === 0 && semicolon === undefined) {
    throw invalidParameter(`Invalid filter '${filter}'. Could not be parsed.`);
  }
  return groupComparisons(statement, tokens, semicolon !== undefined).map(toClause);
}

/**
 * Where sqlparse ends the first statement: at a `;` outside quotes. Text after it makes a second statement,
 * which mlflow refuses; a lone trailing `;` stays in the first one as a clause mlflow then refuses.
 */
function statementEnd(filter: string): number | undefined {
  let quote: string | undefined;
  for (let i = 0; i < filter.length; i++) {
    const char = filter.charAt(i);
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote !== "`") i += 1;
    } else if (char === "'" || char === '"' || char === "`") {
      quote = char;
    } else if (char === ";") {
      if (filter.slice(i + 1).trim() !== "") {
        throw invalidParameter(
          `Search filter contained multiple expression ${pythonStrRepr(filter)}. Provide AND-ed expression list.`,
        );
      }
      return i;
    }
  }
  return undefined;
}

const isWord = (token: Token | undefined, word: string): boolean =>
  token?.kind === "word" && token.text.toUpperCase() === word;

const WORD_COMPARATORS = ["LIKE", "ILIKE", "IN"];

/** A token sqlparse can group as either side of a comparison; OR and NOT start no comparison. */
function isOperand(token: Token | undefined): boolean {
  if (token === undefined) return false;
  if (token.kind === "word")
    return !["AND", "OR", "NOT", ...WORD_COMPARATORS].includes(token.text.toUpperCase());
  return ["string", "quoted", "backtick", "number"].includes(token.kind);
}

/** The comparator starting at `at` and the index after it, or undefined. */
function comparatorAt(tokens: readonly Token[], at: number): { text: string; next: number } | undefined {
  const token = tokens[at];
  if (token === undefined) return undefined;
  if (token.kind === "operator") return { text: token.text, next: at + 1 };
  if (WORD_COMPARATORS.some((word) => isWord(token, word))) return { text: token.text, next: at + 1 };
  if (isWord(token, "NOT") && isWord(tokens[at + 1], "IN")) return { text: "NOT IN", next: at + 2 };
  return undefined;
}

/**
 * Groups `<operand> <comparator> <operand>` as sqlparse does and refuses everything else but AND with mlflow's
 * message, which lists the refused pieces as written: `OR`, `(status = 'a')`, a lone `status`.
 */
function groupComparisons(filter: string, tokens: readonly Token[], semicolon: boolean): Comparison[] {
  const raw = (from: Token, to: Token) => filter.slice(from.start, to.end);
  const comparisons: Comparison[] = [];
  const invalid: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    if (isWord(token, "AND")) {
      i += 1;
    } else if (token.kind === "lparen") {
      const close = closingParen(tokens, i);
      invalid.push(raw(token, tokens[close] as Token));
      i = close + 1;
    } else if (!isOperand(token)) {
      invalid.push(raw(token, token));
      i += 1;
    } else {
      const comparator = comparatorAt(tokens, i + 1);
      const right = comparator === undefined ? undefined : tokens[comparator.next];
      if (comparator === undefined || right === undefined || (right.kind !== "lparen" && !isOperand(right))) {
        invalid.push(raw(token, token));
        if (comparator !== undefined) invalid.push(comparator.text);
        i = comparator === undefined ? i + 1 : comparator.next;
        continue;
      }
      const end = right.kind === "lparen" ? closingParen(tokens, comparator.next) : comparator.next;
      comparisons.push({
        left: token,
        comparator: comparator.text,
        right,
        rightRaw: raw(right, tokens[end] as Token),
      });
      i = end + 1;
    }
  }
  if (semicolon) invalid.push(";");
  if (invalid.length > 0) throw invalidParameter(`Invalid clause(s) in filter string: ${invalid.join(", ")}`);
  return comparisons;
}

/** mlflow's `_get_comparison`: the key, then the comparator, then the value. */
function toClause(comparison: Comparison): IssueFilterClause {
  const { left, right } = comparison;
  // sqlparse reads a quoted string or a number on the left as a plain token, never an identifier.
  if (left.kind === "string" || left.kind === "number") {
    throw invalidParameter(
      "Invalid comparison: left side must be an identifier, got <class 'sqlparse.sql.Token'>",
    );
  }
  // Double quotes are stripped from a key; backticks are not, so `status` in backticks is an unknown field.
  const key = (left.kind === "backtick" ? `\`${left.text}\`` : left.text).trim();
  if (!(ISSUE_FILTER_KEYS as readonly string[]).includes(key)) {
    throw invalidParameter(
      `Invalid filter field '${key}'. Supported fields: {'${ISSUE_FILTER_KEYS.join("', '")}'}`,
    );
  }
  const comparator = comparison.comparator.toUpperCase();
  if (comparator !== "=" && comparator !== "!=") {
    throw invalidParameter(`Invalid comparator '${comparator}'. Supported comparators: {'!=', '='}`);
  }
  const value = right.kind === "string" || right.kind === "quoted" ? right.text : comparison.rightRaw;
  return { key: key as IssueFilterKey, comparator, value: value.trim() };
}
