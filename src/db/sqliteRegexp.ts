/**
 * SQLite has a REGEXP operator but no function behind it; `x REGEXP p` calls `regexp(p, x)`. MLflow's SQL
 * store registers Python's `re.search` there so trace filters can use RLIKE, answering no match (not an
 * error) for a NULL or a pattern that does not compile. This is the same with JavaScript's RegExp, which
 * reads the common Python syntax (classes, anchors, groups, lookarounds) alike, once Python's leading inline
 * flags are turned into its flags.
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

/**
 * Python's global inline flags (`(?i)`, `(?ms)`, `(?i)(?s)`, ...) lead the pattern; they become the RegExp's
 * flags. A flag group anywhere else stays in the pattern, which RegExp refuses, so it matches nothing, as
 * Python 3.11 refuses it ("global flags not at the start of the expression"). So does a leading group with
 * flags JavaScript has no like of (`x`, `a`, `u`), which Python would apply.
 */
const LEADING_FLAG_GROUP = /^\(\?([ims]+)\)/;

/** Unicode mode first, as Python's str patterns are; plain mode for escapes like `\-` it refuses. */
function compilePattern(pattern: string): RegExp | null {
  let source = pattern;
  const flags = new Set<string>();
  for (let group = LEADING_FLAG_GROUP.exec(source); group; group = LEADING_FLAG_GROUP.exec(source)) {
    for (const flag of group[1] ?? "") flags.add(flag);
    source = source.slice(group[0].length);
  }
  const inlineFlags = [...flags].join("");
  for (const mode of ["u", ""]) {
    try {
      return new RegExp(source, mode + inlineFlags);
    } catch {
      // Try the next mode; a pattern neither mode reads matches nothing, as in MLflow.
    }
  }
  return null;
}
