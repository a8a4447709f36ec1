/**
 * Turns one validated filter comparison into a SQL predicate with the value bound as a parameter, never
 * spliced. It hides the one place SQLite and PostgreSQL differ for search: SQLite's LIKE ignores ASCII case,
 * so a case-sensitive LIKE runs as GLOB on a translated pattern and ILIKE as `lower() LIKE lower()`.
 * Both dialects read `\` in a LIKE pattern as an escape (PostgreSQL's default), so `\_` matches `_`.
 * RLIKE (trace filters only, as in MLflow) is a regular-expression search: `~` in PostgreSQL, REGEXP in SQLite.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";
import type { SqlDialectName } from "../../db/dialect.js";
import type { Comparator } from "./filterSyntax.js";

const SYMBOL_OPERATORS: Readonly<Partial<Record<Comparator, string>>> = {
  "=": "=",
  "!=": "!=",
  ">": ">",
  ">=": ">=",
  "<": "<",
  "<=": "<=",
};

export function compareSql(
  dialect: SqlDialectName,
  column: Expression<unknown>,
  comparator: Comparator,
  value: string | number | bigint | readonly string[] | readonly number[],
): RawBuilder<SqlBool> {
  if (comparator === "IN" || comparator === "NOT IN") {
    const values = typeof value === "object" ? value : [value];
    const list = sql.join(values.map((v) => sql`${v}`));
    return comparator === "IN"
      ? sql<SqlBool>`${column} in (${list})`
      : sql<SqlBool>`${column} not in (${list})`;
  }
  const scalar = typeof value === "object" ? (value[0] ?? "") : value;
  if (comparator === "LIKE") {
    return dialect === "sqlite"
      ? sql<SqlBool>`${column} glob ${likeToGlob(String(scalar))}`
      : sql<SqlBool>`${column} like ${String(scalar)}`;
  }
  if (comparator === "ILIKE") {
    return dialect === "sqlite"
      ? sql<SqlBool>`lower(${column}) like lower(${String(scalar)}) escape '\\'`
      : sql<SqlBool>`${column} ilike ${String(scalar)}`;
  }
  if (comparator === "RLIKE") {
    // SQLite's REGEXP calls the `regexp` function connect.ts registers (src/db/sqliteRegexp.ts).
    return dialect === "sqlite"
      ? sql<SqlBool>`${column} regexp ${String(scalar)}`
      : sql<SqlBool>`${column} ~ ${String(scalar)}`;
  }
  const operator = SYMBOL_OPERATORS[comparator];
  if (operator === undefined) throw new Error(`unreachable comparator ${comparator}`);
  // The operator comes from a closed set of constants above, so raw SQL here cannot carry user text.
  return sql<SqlBool>`${column} ${sql.raw(operator)} ${scalar}`;
}

/**
 * Translates a LIKE pattern (`%`, `_`, `\` escape) into an equivalent GLOB pattern: `*`, `?`, and the GLOB
 * metacharacters `*`, `?`, `[` made literal by wrapping them in brackets.
 */
export function likeToGlob(pattern: string): string {
  let glob = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern.charAt(i);
    if (ch === "\\" && i + 1 < pattern.length) {
      i += 1;
      glob += literalGlob(pattern.charAt(i));
    } else if (ch === "%") {
      glob += "*";
    } else if (ch === "_") {
      glob += "?";
    } else {
      glob += literalGlob(ch);
    }
  }
  return glob;
}

function literalGlob(ch: string): string {
  return ch === "*" || ch === "?" || ch === "[" ? `[${ch}]` : ch;
}
