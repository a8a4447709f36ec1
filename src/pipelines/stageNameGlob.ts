/**
 * Python's `fnmatch` patterns, which `dvc repro --glob` applies to stage names: `*` matches any run of
 * characters (`/`, `@` and `:` included, unlike shell globs on paths), `?` one character, `[seq]` and
 * `[!seq]` a character in or not in the set. A `[` without a closing `]` is a literal, as in Python.
 */
import { FlowOpsError } from "../errors.js";

/** A RegExp that matches a whole name exactly when Python's `fnmatch.fnmatchcase(name, pattern)` would. */
export function stageNameGlob(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*") {
      source += "[\\s\\S]*";
    } else if (char === "?") {
      source += "[\\s\\S]";
    } else if (char === "[") {
      const set = characterSet(pattern, i + 1);
      if (set === undefined) {
        source += "\\[";
      } else {
        source += set.source;
        i = set.end;
      }
    } else {
      source += escapeRegExp(char);
    }
  }
  try {
    return new RegExp(`^${source}$`, "u");
  } catch {
    // A reversed range such as `[z-a]`: Python silently drops it from the set; refused here, by name.
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `'${pattern}' is not a valid pattern`);
  }
}

/** The set that starts after a `[` at `start`; `end` is the index of its `]`. */
function characterSet(pattern: string, start: number): { source: string; end: number } | undefined {
  let i = start;
  if (pattern[i] === "!") i++;
  // A `]` right after `[` or `[!` belongs to the set, as in Python.
  if (pattern[i] === "]") i++;
  while (i < pattern.length && pattern[i] !== "]") i++;
  if (i >= pattern.length) return undefined;
  let body = pattern.slice(start, i);
  let negate = false;
  if (body.startsWith("!")) {
    negate = true;
    body = body.slice(1);
  }
  // Inside a class only `\`, `]` and `^` (first) mean something to RegExp; `-` keeps its range meaning.
  const escaped = body.replace(/[\\\]]/g, "\\$&").replace(/^\^/, "\\^");
  return { source: `[${negate ? "^" : ""}${escaped}]`, end: i };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
