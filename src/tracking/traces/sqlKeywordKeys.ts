/**
 * Bare words that sqlparse 0.6 (which MLflow 3.17 parses filters and order_by with) reads as a keyword or a
 * builtin type rather than a name, so it groups no identifier, and no comparison, around them. Only the ones a
 * trace filter or order_by plausibly starts with are listed (sqlparse knows hundreds); any case is read alike.
 * After a dot (`tag.type`) or in quotes (`"type"`) they are names as any other.
 */
const SQL_KEYWORD_KEYS: ReadonlySet<string> = new Set([
  "count",
  "data",
  "date",
  "group",
  "input",
  "issue",
  "key",
  "length",
  "level",
  "mode",
  "order",
  "output",
  "owner",
  "path",
  "result",
  "role",
  "session",
  "size",
  "source",
  "text",
  "time",
  "timestamp",
  "type",
  "user",
  "version",
]);

/** Whether sqlparse reads this bare word (no dot, unquoted) as a keyword. */
export function isSqlKeywordKey(word: string): boolean {
  return !word.includes(".") && SQL_KEYWORD_KEYS.has(word.toLowerCase());
}
