/**
 * The pieces of MLflow's search syntax shared by filters and order_by: entity types and their aliases,
 * comparators, the clause shape, identifiers (`<entity>.<key>` with optional quoting) and a token cursor
 * whose errors name the character offset and the offending text.
 */
import { excerpt, syntaxError, type Token } from "./filterTokenizer.js";

export type EntityType = "metric" | "parameter" | "tag" | "attribute" | "dataset";

export const COMPARATORS = [
  "=",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "LIKE",
  "ILIKE",
  "RLIKE",
  "IN",
  "NOT IN",
  "IS NULL",
  "IS NOT NULL",
] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** `IS NULL` and `IS NOT NULL` take no value: they ask whether the run has the param or tag at all. */
export const NULL_COMPARATORS: readonly Comparator[] = ["IS NULL", "IS NOT NULL"];

export interface FilterClause {
  type: EntityType;
  key: string;
  comparator: Comparator;
  /** The empty string for the NULL_COMPARATORS, which take no value. */
  value: string | number | string[];
  /** An attribute's number as written where `value`, a double, may not hold it exactly (beyond 2^53). */
  literal?: string;
}

const ENTITY_ALIASES: Readonly<Record<string, EntityType>> = {
  metric: "metric",
  metrics: "metric",
  parameter: "parameter",
  parameters: "parameter",
  param: "parameter",
  params: "parameter",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
  dataset: "dataset",
  datasets: "dataset",
};

const KEYWORDS: ReadonlySet<string> = new Set(["AND", "OR", "NOT", "LIKE", "ILIKE", "RLIKE", "IN", "IS"]);

export interface Identifier {
  type: EntityType;
  key: string;
}

/**
 * `<entity>.<key>`, `<entity>."quoted key"`, ``<entity>.`quoted key` ``, a bare attribute key, or a quoted
 * attribute key such as `"run name"`. The entity is split off at the first dot, so keys may contain dots.
 */
export function parseIdentifier(cursor: TokenCursor): Identifier {
  const token = cursor.next();
  if (token === undefined) throw cursor.error("expected an identifier");
  if (token.kind === "quoted" || token.kind === "backtick") {
    return { type: "attribute", key: nonEmptyKey(cursor, token, token.text) };
  }
  if (token.kind !== "word" || KEYWORDS.has(token.text.toUpperCase())) {
    throw cursor.errorAt(token, `expected an identifier, found '${excerpt(token.text)}'`);
  }
  const dot = token.text.indexOf(".");
  if (dot < 0) return { type: "attribute", key: token.text };
  const prefix = token.text.slice(0, dot);
  // Case-sensitive, as MLflow's parsers are (`Tags.x` is refused there).
  const type = Object.hasOwn(ENTITY_ALIASES, prefix) ? ENTITY_ALIASES[prefix] : undefined;
  if (type === undefined) {
    throw cursor.errorAt(
      token,
      `invalid entity type '${excerpt(prefix)}'; valid values are ${Object.keys(ENTITY_ALIASES).join(", ")}`,
    );
  }
  const rest = token.text.slice(dot + 1);
  if (rest === "") {
    const quoted = cursor.peek();
    if (quoted !== undefined && (quoted.kind === "quoted" || quoted.kind === "backtick")) {
      cursor.next();
      return { type, key: nonEmptyKey(cursor, quoted, quoted.text) };
    }
    throw cursor.errorAt(token, `missing key after '${excerpt(token.text)}'`);
  }
  return { type, key: rest };
}

function nonEmptyKey(cursor: TokenCursor, token: Token, key: string): string {
  if (key.trim() === "") throw cursor.errorAt(token, "empty key");
  return key;
}

export function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === "word" && token.text.toUpperCase() === keyword;
}

/** A position in the token list, with errors that name the character offset and the offending text. */
export class TokenCursor {
  private index = 0;

  constructor(
    readonly input: string,
    private readonly tokens: readonly Token[],
    private readonly what: string,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  next(): Token | undefined {
    const token = this.tokens[this.index];
    if (token !== undefined) this.index += 1;
    return token;
  }

  error(detail: string) {
    return syntaxError(this.what, this.input, this.peek()?.start ?? this.input.length, detail);
  }

  errorAt(token: Token, detail: string) {
    return syntaxError(this.what, this.input, token.start, detail);
  }
}
