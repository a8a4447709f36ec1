/**
 * Logged-model page tokens as mlflow 3.17's `SearchLoggedModelsPaginationToken` writes and reads them: base64
 * of `json.dumps` of the query (experiment ids, filter, order_by entries with all four keys) and the offset,
 * so a client gets the same text from either server, and a token reused with another query is refused with
 * mlflow's messages, values printed as Python prints them. Where mlflow's reading fails with an error it does
 * not catch (bad base64, text that is not UTF-8, JSON that is not an object) and so answers a 500, this
 * answers a 400 that quotes the token.
 */
import { invalidParameter } from "../../errors.js";
import {
  parsePythonJson,
  PythonFloat,
  pythonJsonDumps,
  PythonJsonSyntaxError,
  pythonStr,
  pythonValueRepr,
  type PythonJsonValue,
} from "../../pythonJson.js";
import { pythonBase64Decode } from "./mlflowPageToken.js";

export interface LoggedModelTokenOrderBy {
  field_name: string;
  ascending?: boolean | undefined;
  dataset_name?: string | undefined;
  dataset_digest?: string | undefined;
}

export interface LoggedModelTokenQuery {
  experimentIds: readonly string[];
  filter?: string | undefined;
  orderBy?: readonly LoggedModelTokenOrderBy[] | undefined;
}

/** The token for the page at `offset` of this query. */
export function loggedModelPageToken(query: LoggedModelTokenQuery, offset: number): string {
  const fields = new Map<string, PythonJsonValue>([
    ["experiment_ids", [...query.experimentIds]],
    ["filter_string", filterOf(query)],
    ["order_by", orderByOf(query)],
    ["offset", offset],
  ]);
  return Buffer.from(pythonJsonDumps(fields), "utf8").toString("base64");
}

/**
 * The offset a token names, once its query is checked against this one; a negative offset is kept, as mlflow
 * keeps it (its store reads it as none and pages on from it).
 */
export function loggedModelTokenOffset(token: string, query: LoggedModelTokenQuery): number {
  const fields = tokenFields(token);
  const found = (key: string) => fields.get(key) ?? null;
  // `token.get(key) or None`: a falsy filter or order_by reads as absent.
  const foundOrNone = (key: string) => (pythonTruthy(found(key)) ? found(key) : null);
  const checks: Array<[string, PythonJsonValue, PythonJsonValue, (value: PythonJsonValue) => string]> = [
    ["Experiment IDs", found("experiment_ids"), [...query.experimentIds], pythonValueRepr],
    ["Filter string", foundOrNone("filter_string"), filterOf(query), pythonStr],
    ["Order by", foundOrNone("order_by"), orderByOf(query), pythonStr],
  ];
  for (const [name, inToken, requested, show] of checks) {
    if (!pythonEquals(inToken, requested)) {
      const wanted = name === "Experiment IDs" ? "experiment IDs" : name.toLowerCase();
      throw invalidParameter(
        `${name} in the page token do${name === "Experiment IDs" ? "" : "es"} not match the requested ${wanted}. ` +
          `Expected: ${show(requested)}. Found: ${show(inToken)}`,
      );
    }
  }
  const offset = found("offset");
  if (!pythonTruthy(offset)) return 0;
  if (typeof offset === "number" && Number.isSafeInteger(offset)) return offset;
  throw invalidParameter(`Invalid page token: ${token}.`);
}

function filterOf(query: LoggedModelTokenQuery): string | null {
  return query.filter || null;
}

/** The handler's dicts: every key present, an empty dataset name or digest as None. */
function orderByOf(query: LoggedModelTokenQuery): PythonJsonValue {
  const orderBy = query.orderBy ?? [];
  if (orderBy.length === 0) return null;
  return orderBy.map(
    (entry) =>
      new Map<string, PythonJsonValue>([
        ["field_name", entry.field_name],
        ["ascending", entry.ascending ?? true],
        ["dataset_name", entry.dataset_name || null],
        ["dataset_digest", entry.dataset_digest || null],
      ]),
  );
}

function tokenFields(token: string): ReadonlyMap<string, PythonJsonValue> {
  const bytes = pythonBase64Decode(token);
  let text: string;
  try {
    if (bytes === undefined) throw new Error("not base64");
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalidParameter(`Invalid page token: ${token}.`);
  }
  let parsed: PythonJsonValue;
  try {
    parsed = parsePythonJson(text);
  } catch (error) {
    if (!(error instanceof PythonJsonSyntaxError)) throw error;
    throw invalidParameter(`Invalid page token: ${token}. ${jsonDecodeErrorText(text, error)}`);
  }
  if (!(parsed instanceof Map)) throw invalidParameter(`Invalid page token: ${token}.`);
  return parsed as ReadonlyMap<string, PythonJsonValue>;
}

const PYTHON_JSON_MESSAGES: Readonly<Record<string, string>> = {
  "expected a value": "Expecting value",
  "extra data": "Extra data",
  "expected a property name": "Expecting property name enclosed in double quotes",
  "expected ':'": "Expecting ':' delimiter",
  "expected ',' or '}'": "Expecting ',' delimiter",
  "expected ',' or ']'": "Expecting ',' delimiter",
  "unterminated string": "Unterminated string starting at",
};

/** `str(JSONDecodeError)`: Python's wording, then the line, column and character where reading stopped. */
function jsonDecodeErrorText(text: string, error: PythonJsonSyntaxError): string {
  const what = error.message.replace(/ at position \d+$/, "");
  const position = error.position;
  const line = text.slice(0, position).split("\n").length;
  const column = position - text.lastIndexOf("\n", position - 1);
  return `${PYTHON_JSON_MESSAGES[what] ?? what}: line ${line} column ${column} (char ${position})`;
}

function pythonTruthy(value: PythonJsonValue | null): boolean {
  if (value === null || value === false || value === "" || value === 0 || value === 0n) return false;
  if (value instanceof PythonFloat) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  return true;
}

/** Python's `==` on what `json.loads` gives: numbers and bools by value, dicts whatever their key order. */
function pythonEquals(left: PythonJsonValue | null, right: PythonJsonValue | null): boolean {
  const number = (value: unknown) =>
    typeof value === "boolean" ? Number(value) : value instanceof PythonFloat ? value.value : value;
  const [a, b] = [number(left), number(right)];
  if (typeof a === "number" || typeof a === "bigint")
    return (typeof b === "number" || typeof b === "bigint") && a == b;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, at) => pythonEquals(item, b[at]));
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    return [...a].every(([key, value]) => b.has(key) && pythonEquals(value, b.get(key)));
  }
  return a === b;
}
