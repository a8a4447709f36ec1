import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pyyamlDump, type PyyamlMapping } from "./pyyamlDump.js";

/** Each case's `yaml` is what PyYAML 6 (mlflow 3.17's) wrote for it: `yaml.safe_dump(m, default_flow_style=False)`. */
type Case =
  { k: string; yaml: string } | { key: string; yaml: string } | { nested: PyyamlMapping; yaml: string };
const cases = JSON.parse(
  readFileSync(new URL("./pyyamlDump.fixture.json", import.meta.url), "utf8"),
) as Case[];

describe("pyyamlDump", () => {
  it.each(cases.map((c) => [JSON.stringify(c).slice(0, 60), c] as const))("matches PyYAML for %s", (_, c) => {
    const mapping = "k" in c ? { k: c.k } : "key" in c ? { [c.key]: "v" } : c.nested;
    expect(pyyamlDump(mapping)).toBe(c.yaml);
  });
});
