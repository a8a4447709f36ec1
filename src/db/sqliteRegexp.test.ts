import SqliteDatabase from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { sqliteAddonOptions } from "./sqliteAddon.js";
import { registerSqliteRegexp } from "./sqliteRegexp.js";

function regexpMatches(pattern: string | null, value: string | null): boolean {
  const sqlite = new SqliteDatabase(":memory:", sqliteAddonOptions());
  try {
    registerSqliteRegexp(sqlite);
    const row = sqlite.prepare("select ? regexp ? as matched").get(value, pattern) as { matched: number };
    return row.matched === 1;
  } finally {
    sqlite.close();
  }
}

describe("SQLite REGEXP", () => {
  // What MLflow 3.17's SQLite regexp, Python 3.11's `re.search(pattern, value) is not None`, answered; a
  // pattern Python refuses ("global flags not at the start of the expression") matches nothing.
  const pythonAnswers: [string, string, boolean][] = [
    ["(?i)SCALE", "scale", true],
    ["(?i)abc", "xABCx", true],
    ["SCALE", "scale", false],
    ["(?s)a.b", "a\nb", true],
    ["a.b", "a\nb", false],
    ["(?m)^b$", "a\nb\nc", true],
    ["^b$", "a\nb\nc", false],
    ["(?im)^B", "a\nb", true],
    ["(?i)(?s)A.B", "a\nb", true],
    ["(?si)A.B", "a\nb", true],
    ["(?ii)a", "A", true],
    ["a(?i)b", "aB", false],
    ["^(?i)a", "A", false],
    ["(?i)a(?s)b", "Ab", false],
    ["(?i)\\-x", "-X", true],
    ["[(?i)]", "?", true],
    ["(?i)", "anything", true],
  ];
  it.each(pythonAnswers)("reads Python's leading inline flags: %j on %j is %s", (pattern, value, matched) => {
    expect(regexpMatches(pattern, value)).toBe(matched);
  });

  it("answers no match for a NULL or a pattern that does not compile", () => {
    expect(regexpMatches("a", null)).toBe(false);
    expect(regexpMatches(null, "a")).toBe(false);
    expect(regexpMatches("(", "(")).toBe(false);
    expect(regexpMatches("(?i)(", "(")).toBe(false);
  });
});
