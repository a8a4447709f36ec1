/**
 * One gitignore pattern as a regular expression, exactly as pathspec 1.x's `GitIgnoreSpecPattern.
 * pattern_to_regex` builds it (pathspec/patterns/gitignore/spec.py and base.py). dvc matches `.dvcignore`
 * patterns with these regexes, and `check-ignore` reports which one matched, so the regexes themselves (not
 * only what they match) must be pathspec's. The directory marker group is named `ps_d`, as in pathspec;
 * Python's `(?P<name>` is JavaScript's `(?<name>`.
 */

export const DIR_MARK = "ps_d";
const DIR_MARK_CG = `(?<${DIR_MARK}>/)`;
const DIR_MARK_OPT = `(?:${DIR_MARK_CG}|$)`;

/** A pattern's regex and whether it excludes (`true`) or re-includes (`false`, a `!` pattern). */
export interface PatternRegex {
  regex: string;
  include: boolean;
}

/** Invalid range notation: git drops such a pattern, and so does pathspec. */
class RangeError extends Error {}

/** `undefined` for a pattern that matches nothing: blank, a comment, `/`, or an invalid range. */
export function patternToRegex(pattern: string): PatternRegex | undefined {
  let text = pattern.endsWith("\\ ") ? pattern : pattern.trimEnd();
  if (text === "" || text.startsWith("#") || text === "/") return undefined;
  const include = !text.startsWith("!");
  if (!include) text = text.slice(1);
  const segments = text.split("/");
  const isDirPattern = segments[segments.length - 1] === "";
  const normalized = normalizeSegments(isDirPattern, segments);
  if (typeof normalized === "string") return { regex: normalized, include };
  try {
    return { regex: translateSegments(isDirPattern, normalized).join(""), include };
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** pathspec's `__normalize_segments`: the segments, or a whole regex for the patterns that match everything. */
function normalizeSegments(isDirPattern: boolean, segs: string[]): string[] | string {
  if (segs[0] === "") segs.shift();
  else if (segs.length === 1 || (segs.length === 2 && segs[1] === "")) {
    // A pattern without a slash before its end matches at any depth.
    if (segs[0] !== "**") segs.unshift("**");
  }
  if (segs.length === 0) throw new Error(`Invalid git pattern: pattern normalized to nothing`);
  if (segs[segs.length - 1] === "") segs[segs.length - 1] = "**";
  for (let i = segs.length - 1; i > 0; i--) {
    if (segs[i - 1] === "**" && segs[i] === "**") segs.splice(i, 1);
  }
  if (segs.length === 1 && segs[0] === "**") return isDirPattern ? DIR_MARK_CG : ".";
  if (segs.length === 2 && segs[0] === "**" && segs[1] === "*") return ".";
  if (segs.length === 3 && segs[0] === "**" && segs[1] === "*" && segs[2] === "**") {
    return isDirPattern ? DIR_MARK_CG : "/";
  }
  return segs;
}

function translateSegments(isDirPattern: boolean, segs: readonly string[]): string[] {
  const out: string[] = [];
  let needSlash = false;
  const end = segs.length - 1;
  segs.forEach((seg, i) => {
    if (seg === "**") {
      if (i === 0) out.push("^(?:.+/)?");
      else if (i < end) {
        out.push("(?:/.+)?");
        needSlash = true;
      } else out.push(isDirPattern ? DIR_MARK_CG : "/");
      return;
    }
    if (i === 0) out.push("^");
    if (needSlash) out.push("/");
    out.push(seg === "*" ? "[^/]+" : translateSegmentGlob(seg));
    if (i === end) out.push(DIR_MARK_OPT);
    needSlash = true;
  });
  return out;
}

/** pathspec's `_translate_segment_glob` with `range_error='raise'`. */
function translateSegmentGlob(pattern: string): string {
  let escape = false;
  let regex = "";
  let i = 0;
  const end = pattern.length;
  while (i < end) {
    const char = pattern[i]!;
    i += 1;
    if (escape) {
      escape = false;
      regex += escapeRegex(char);
    } else if (char === "\\") escape = true;
    else if (char === "*") regex += "[^/]*";
    else if (char === "?") regex += "[^/]";
    else if (char === "[") {
      let j = i;
      if (j < end && (pattern[j] === "!" || pattern[j] === "^")) j += 1;
      if (j < end && pattern[j] === "]") j += 1;
      while (j < end && pattern[j] !== "]") j += 1;
      if (j >= end) throw new RangeError(`Invalid range notation in ${pattern}`);
      j += 1;
      let expr = "[";
      if (pattern[i] === "!" || pattern[i] === "^") {
        expr += "^";
        i += 1;
      }
      expr += pattern.slice(i, j).replaceAll("\\", "\\\\");
      regex += expr;
      i = j;
    } else regex += escapeRegex(char);
  }
  if (escape) throw new Error(`Escape character found with no next character to escape: ${pattern}`);
  return regex;
}

/** Python's `re.escape` for one character: it matches itself. */
function escapeRegex(char: string): string {
  // Without the `u` flag JavaScript accepts a backslash before any punctuation, as Python's re does.
  return /[A-Za-z0-9_]/.test(char) || char.charCodeAt(0) > 0x7f ? char : `\\${char}`;
}
