/**
 * The filters of QueryTraceMetrics (mlflow's `SearchTraceMetricsUtils`): each string is exactly one
 * `<view>.<entity>[.<key>] = '<value>'` comparison, where the view is `trace` (status, tag.<key>,
 * metadata.<key>), `span` (name, status, type) or `assessment` (name, type). Only `=` is allowed; several
 * filters are ANDed by the caller. Messages are mlflow's.
 */
import { invalidParameter } from "../../errors.js";
import { tokenize, type Token } from "../search/filterTokenizer.js";
import { pythonStringListRepr } from "../validationMessages.js";

export type MetricFilterView = "trace" | "span" | "assessment";

export interface MetricFilter {
  view: MetricFilterView;
  entity: string;
  key: string | undefined;
  value: string;
}

/** For each view, its entities and whether they take a key; in mlflow's order, which its messages list. */
const ENTITIES: Readonly<Record<MetricFilterView, Readonly<Record<string, boolean>>>> = {
  trace: { status: false, tag: true, metadata: true },
  span: { name: false, status: false, type: false },
  assessment: { name: false, type: false },
};

const IDENTIFIER_KINDS = new Set<Token["kind"]>(["word", "backtick", "quoted"]);

export function parseMetricFilter(filter: string): MetricFilter {
  const comparisons: Token[][] = [];
  const invalid: string[] = [];
  const tokens = filter === "" ? [] : joinQuotedKeys(tokenize(filter, "filter"));
  for (let i = 0; i < tokens.length;) {
    const [left, operator, right] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (
      left !== undefined &&
      IDENTIFIER_KINDS.has(left.kind) &&
      operator !== undefined &&
      isComparator(operator) &&
      right !== undefined
    ) {
      comparisons.push([left, operator, right]);
      i += 3;
    } else {
      invalid.push(filter.slice((left as Token).start, (left as Token).end));
      i += 1;
    }
  }
  if (invalid.length > 0) {
    throw invalidParameter(`Invalid clause(s) in filter string: ${invalid.join(", ")}`);
  }
  const [comparison] = comparisons;
  if (comparison === undefined || comparisons.length !== 1) {
    throw invalidParameter(`Invalid filter: '${filter}'. Expected one filter clause.`);
  }
  const [left, operator, right] = comparison as [Token, Token, Token];
  const { view, entity, key } = parseIdentifier(
    left.kind === "word" ? left.text : filter.slice(left.start, left.end),
  );
  if (operator.text !== "=") {
    throw invalidParameter(`Invalid comparator: '${operator.text}', only '=' operator is supported`);
  }
  return { view, entity, key, value: parseValue(entity, right) };
}

/** `trace.tag.`my key`` is one identifier, as sqlparse reads it; the tokenizer splits off the quoted key. */
function joinQuotedKeys(tokens: Token[]): Token[] {
  const joined: Token[] = [];
  for (const token of tokens) {
    const previous = joined.at(-1);
    if (
      previous?.kind === "word" &&
      previous.text.endsWith(".") &&
      previous.end === token.start &&
      (token.kind === "backtick" || token.kind === "quoted")
    ) {
      joined[joined.length - 1] = { ...previous, text: previous.text + token.text, end: token.end };
    } else {
      joined.push(token);
    }
  }
  return joined;
}

function isComparator(token: Token): boolean {
  if (token.kind === "operator") return true;
  return token.kind === "word" && ["LIKE", "ILIKE"].includes(token.text.toUpperCase());
}

function parseIdentifier(identifier: string): {
  view: MetricFilterView;
  entity: string;
  key: string | undefined;
} {
  const parts = splitMax(identifier, ".", 2);
  if (parts.length < 2) {
    throw invalidParameter(
      `Invalid identifier '${identifier}'. Columns should be specified as ` +
        `'trace.<key>', 'span.<key>', 'assessment.<key>'.`,
    );
  }
  const [rawView, entity, rawKey] = parts as [string, string, string | undefined];
  const view = trimBackticks(rawView);
  if (!Object.hasOwn(ENTITIES, view)) {
    throw invalidParameter(
      `Invalid view type '${view}'. Valid values are dict_keys(${pythonStringListRepr(Object.keys(ENTITIES))})`,
    );
  }
  const entities = ENTITIES[view as MetricFilterView];
  if (!Object.hasOwn(entities, entity)) {
    throw invalidParameter(
      `Invalid entity '${entity}' specified for view type '${view}'. ` +
        `Valid entities are ${pythonStringListRepr(Object.keys(entities))}`,
    );
  }
  const keyRequired = entities[entity] as boolean;
  if (keyRequired && rawKey === undefined) {
    throw invalidParameter(`Filtering by ${entity} requires a key, e.g. '${view}.${entity}.<key> = <value>'`);
  }
  if (!keyRequired && rawKey !== undefined) {
    throw invalidParameter(`Filtering by ${entity} does not require a key, use '${view}.${entity}' instead`);
  }
  const key = rawKey ? trimBackticks(stripQuotes(rawKey)) : undefined;
  return { view: view as MetricFilterView, entity, key };
}

function parseValue(entity: string, token: Token): string {
  if (token.kind === "string" || token.kind === "quoted") return token.text;
  if (token.kind === "word" || token.kind === "backtick") {
    throw invalidParameter(
      "Parameter value is either not quoted or unidentified quote types used for string value " +
        `${token.kind === "backtick" ? `\`${token.text}\`` : token.text}. Use either single or double quotes.`,
    );
  }
  throw invalidParameter(
    `Expected a quoted string value for ${entity} value (e.g. 'my-value'). Got value ${token.text}`,
  );
}

/** Python's `str.split(separator, maxsplit)`. */
function splitMax(text: string, separator: string, maxSplit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < maxSplit) {
    const at = rest.indexOf(separator);
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + separator.length);
  }
  parts.push(rest);
  return parts;
}

function isQuoted(text: string, quote: string): boolean {
  return text.length >= 2 && text.startsWith(quote) && text.endsWith(quote);
}

function trimBackticks(text: string): string {
  return isQuoted(text, "`") ? text.slice(1, -1) : text;
}

function stripQuotes(text: string): string {
  return isQuoted(text, "'") || isQuoted(text, '"') ? text.slice(1, -1) : text;
}
