/**
 * SQLite has a REGEXP operator but no function behind it; `x REGEXP p` calls `regexp(p, x)`. MLflow's SQL
 * store registers Python's `re.search` there so trace filters can use RLIKE, answering no match (not an
 * error) for a NULL or a pattern that does not compile. This is the same with JavaScript's RegExp, which
 * reads the common Python syntax (classes, anchors, groups, lookarounds) alike.
 */
import type { Database } from "better-sqlite3";

const CACHE_LIMIT = 64;

export function registerSqliteRegexp(sqlite: Database): void {
  const compiled = new Map<string, RegExp | null>();
  sqlite.function("regexp", { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof pattern !== "string" || value === null || value === undefined) return 0;
    let regex = compiled.get(pattern);
    if (regex === undefined) {
      regex = compilePattern(pattern);
      if (compiled.size >= CACHE_LIMIT) compiled.clear();
      compiled.set(pattern, regex);
    }
    return regex !== null && regex.test(String(value)) ? 1 : 0;
  });
}

/** Unicode mode first, as Python's str patterns are; plain mode for escapes like `\-` it refuses. */
function compilePattern(pattern: string): RegExp | null {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // Try the next mode; a pattern neither mode reads matches nothing, as in MLflow.
    }
  }
  return null;
}
