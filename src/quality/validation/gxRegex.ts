/**
 * Compiles a GX `regex` kwarg, written for Python's `re`, as a JavaScript RegExp. The common Python-only
 * spellings are translated: named groups `(?P<name>...)` and back-references `(?P=name)`, and leading
 * inline flags such as `(?i)`. Anything else must already be valid in both dialects.
 */

const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;

export function compileGxRegex(pattern: string): RegExp | Error {
  let source = pattern;
  let flags = "";
  const leading = LEADING_FLAGS.exec(source);
  if (leading !== null) {
    source = source.slice(leading[0].length);
    for (const flag of leading[1] ?? "") {
      if (flag !== "i" && flag !== "m" && flag !== "s") {
        return new Error(
          `regular expression ${JSON.stringify(pattern)}: inline flag '${flag}' is not supported (use i, m or s)`,
        );
      }
      if (!flags.includes(flag)) flags += flag;
    }
  }
  source = source.replace(/\(\?P</g, "(?<").replace(/\(\?P=(\w+)\)/g, "\\k<$1>");
  try {
    return new RegExp(source, flags);
  } catch (error) {
    return new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}
