/**
 * The clauses MLflow 3.17 refuses before reading any of them (`SearchTraceUtils._process_statement` over
 * `_join_in_comparison_tokens`): sqlparse groups `<identifier> <comparator> <value>` into a comparison, and
 * MLflow names every top-level token that ended up in none, across the whole filter, in one message:
 * "Invalid clause(s) in filter string: 'text', 'LIKE', ''%x%''". A clause stays ungrouped when its key is a
 * bare SQL keyword (`text`, `TIMESTAMP`, `type`; see sqlKeywordKeys.ts), its value is True, False or None,
 * IN takes no parenthesised list, or IS takes no NULL.
 *
 * A bare lower-case `timestamp` is MLflow's one exception: followed by `=`, `!=`, `<`, `<=`, `>` or `>=` and an
 * integer, MLflow joins the three tokens itself. Otherwise it adds those three tokens and then `timestamp` once
 * more (its loop falls through to the generic branch), so `timestamp = 'x'` is refused as
 * "'timestamp', '=', ''x'', 'timestamp'". Tokens are written as in the filter, a parenthesised list whole.
 */
import { invalidParameter } from "../../errors.js";
import { isKeyword } from "../search/filterSyntax.js";
import { closingParen, type Token } from "../search/filterTokenizer.js";
import { isSqlKeywordKey } from "./sqlKeywordKeys.js";

type PartKind = "identifier" | "sqlKeyword" | "keyword" | "operator" | "integer" | "other" | "comparison";

/** One of sqlparse's top-level tokens, or (`comparison`) a clause it groups. */
interface Part {
  kind: PartKind;
  text: string;
}

const KEYWORDS: ReadonlySet<string> = new Set(["AND", "OR", "NOT", "IN", "IS", "NULL", "NOT NULL"]);
const KEYWORD_VALUES: ReadonlySet<string> = new Set(["TRUE", "FALSE", "NONE"]);
const COMPARISON_WORDS: ReadonlySet<string> = new Set(["LIKE", "ILIKE", "RLIKE"]);
/** `VALID_NUMERIC_ATTRIBUTE_COMPARATORS`, matched as written. */
const TIMESTAMP_COMPARATORS: ReadonlySet<string> = new Set([">", ">=", "!=", "=", "<", "<="]);
const BARE_TIMESTAMP = "timestamp";

export function refuseUngroupedClauses(input: string, tokens: readonly Token[]): void {
  const stream: Part[] = [];
  for (const clause of splitAtAnd(statementParts(input, tokens))) {
    if (clause.and !== undefined) stream.push(clause.and);
    if (clause.parts.length === 0) continue;
    if (isGrouped(clause.parts)) stream.push({ kind: "comparison", text: "" });
    else stream.push(...clause.parts);
  }
  const invalid = joinedParts(stream).filter((p) => p.kind !== "comparison" && !isAnd(p));
  if (invalid.length > 0) {
    throw invalidParameter(
      `Invalid clause(s) in filter string: ${invalid.map((p) => `'${p.text}'`).join(", ")}`,
    );
  }
}

/** The filter as sqlparse's top-level tokens, before any grouping into comparisons. */
function statementParts(input: string, tokens: readonly Token[]): Part[] {
  const parts: Part[] = [];
  const slice = (from: Token, to: Token) => input.slice(from.start, to.end);
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    if (token.kind === "lparen") {
      const close = closingParen(tokens, i);
      parts.push({ kind: "other", text: slice(token, tokens[close] as Token) });
      i = close;
    } else if (token.kind === "word") {
      const upper = token.text.toUpperCase();
      if (token.text.endsWith(".") && next !== undefined && isQuoted(next)) {
        parts.push({ kind: "identifier", text: slice(token, next) });
        i += 1;
      } else if (upper === "NOT" && next !== undefined && isKeyword(next, "NULL")) {
        parts.push({ kind: "keyword", text: slice(token, next) });
        i += 1;
      } else if (isSqlKeywordKey(token.text)) {
        parts.push({ kind: "sqlKeyword", text: token.text });
      } else if (COMPARISON_WORDS.has(upper)) {
        parts.push({ kind: "operator", text: token.text });
      } else if (KEYWORDS.has(upper) || KEYWORD_VALUES.has(upper)) {
        parts.push({ kind: "keyword", text: token.text });
      } else {
        parts.push({ kind: "identifier", text: token.text });
      }
    } else if (token.kind === "quoted" || token.kind === "backtick") {
      parts.push({ kind: "identifier", text: slice(token, token) });
    } else if (token.kind === "operator") {
      parts.push({ kind: "operator", text: token.text });
    } else if (token.kind === "number") {
      // sqlparse reads a leading `+` as an operator of its own.
      const signed = token.text.startsWith("+");
      if (signed) parts.push({ kind: "operator", text: "+" });
      const digits = signed ? token.text.slice(1) : token.text;
      parts.push({ kind: /^-?\d+$/.test(digits) ? "integer" : "other", text: digits });
    } else {
      parts.push({ kind: "other", text: slice(token, token) });
    }
  }
  return parts;
}

function isQuoted(token: Token): boolean {
  return token.kind === "quoted" || token.kind === "backtick" || token.kind === "string";
}

function isAnd(part: Part): boolean {
  return part.kind === "keyword" && part.text.toUpperCase() === "AND";
}

/** The clauses between AND and OR; an OR stays in the stream, where MLflow names it as ungrouped. */
function splitAtAnd(parts: readonly Part[]): { and: Part | undefined; parts: Part[] }[] {
  const clauses: { and: Part | undefined; parts: Part[] }[] = [{ and: undefined, parts: [] }];
  for (const part of parts) {
    const or = part.kind === "keyword" && part.text.toUpperCase() === "OR";
    if (isAnd(part) || or) clauses.push({ and: part, parts: [] });
    else (clauses[clauses.length - 1] as { parts: Part[] }).parts.push(part);
  }
  return clauses;
}

/** Whether sqlparse, with MLflow's IN, NOT IN and IS joins, makes one comparison of the clause. */
function isGrouped(parts: readonly Part[]): boolean {
  const [key, comparator, value, rest] = parts;
  if (key?.kind === "sqlKeyword") return false;
  const word = (part: Part | undefined) => (part?.kind === "keyword" ? part.text.toUpperCase() : undefined);
  const isList = (part: Part | undefined) => part?.text.startsWith("(") === true;
  if (word(comparator) === "IN") return isList(value);
  if (word(comparator) === "NOT" && word(value) === "IN") return isList(rest);
  if (word(comparator) === "IS") return word(value) === "NULL" || word(value) === "NOT NULL";
  return !(comparator?.kind === "operator" && KEYWORD_VALUES.has(word(value) ?? ""));
}

/**
 * `_join_in_comparison_tokens` over the top-level tokens: a bare lower-case `timestamp` with a comparator and
 * an integer joins; any other run from an identifier is taken three or four tokens at a time as it is.
 */
function joinedParts(stream: readonly Part[]): Part[] {
  const joined: Part[] = [];
  let i = 0;
  while (i < stream.length) {
    const first = stream[i] as Part;
    if (stream.length - i < 3) {
      joined.push(...stream.slice(i));
      break;
    }
    i += 1;
    if (first.kind === "sqlKeyword" && first.text === BARE_TIMESTAMP) {
      const [second, third] = stream.slice(i, i + 2) as [Part, Part];
      i += 2;
      if (second.kind === "operator" && TIMESTAMP_COMPARATORS.has(second.text) && third.kind === "integer") {
        joined.push({ kind: "comparison", text: "" });
        continue;
      }
      joined.push(first, second, third);
    }
    if (first.kind !== "identifier") {
      joined.push(first);
      continue;
    }
    const following = stream.slice(i, i + 3);
    i += following.length;
    joined.push(first, ...following);
  }
  return joined;
}
