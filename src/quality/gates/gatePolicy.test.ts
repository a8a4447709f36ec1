import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { loadGatePolicy, parseGatePolicy } from "./gatePolicy.js";

const POLICY = `name: production-gate
champion: prod
conditions:
  - accuracy >= 0.9
  - f1_macro >= 0.85
  - expectations: all pass
  - f1_macro >= champion.f1_macro - 0.01
`;

function parseError(text: string): FlowOpsError {
  try {
    parseGatePolicy(text, "gates.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("INVALID_PARAMETER_VALUE");
    return error as FlowOpsError;
  }
  throw new Error("expected the policy to be rejected");
}

describe("gate policy files", () => {
  it("parses conditions with their lines, the champion alias and the text's sha256", () => {
    const policy = parseGatePolicy(POLICY, "gates.yaml");
    expect(policy.name).toBe("production-gate");
    expect(policy.champion).toBe("prod");
    expect(policy.conditions.map((c) => [c.condition.kind, c.line])).toEqual([
      ["compare", 4],
      ["compare", 5],
      ["expectations", 6],
      ["compare", 7],
    ]);
    expect(policy.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(parseGatePolicy(`${POLICY}\n`, "gates.yaml").digest).not.toBe(policy.digest);
  });

  it("defaults the champion alias to production", () => {
    expect(parseGatePolicy("name: g\nconditions: [acc > 0]\n", "g.yaml").champion).toBe("production");
  });

  it("names the file and line of a condition it cannot read", () => {
    const error = parseError("name: g\nconditions:\n  - accuracy >= 0.9\n  - accuracy => 0.9\n");
    expect(error.message).toMatch(/^gates\.yaml line 4: condition 'accuracy => 0\.9': expected/);
  });

  it("names the line and column of invalid YAML", () => {
    expect(parseError("name: g\nconditions:\n  - [unclosed\n").message).toMatch(
      /^gates\.yaml line \d+, column \d+: invalid YAML/,
    );
  });

  it("names the line of an unknown key, a missing name and an empty condition list", () => {
    expect(parseError("name: g\nthreshold: 3\nconditions: [a > 1]\n").message).toBe(
      "gates.yaml line 2: unknown key 'threshold'; expected one of name, champion, description, conditions",
    );
    expect(parseError("conditions: [a > 1]\n").message).toMatch(/^gates\.yaml line 1: missing key 'name'/);
    expect(parseError("name: g\nconditions: []\n").message).toMatch(
      /^gates\.yaml line 2: 'conditions' must be a non-empty list/,
    );
    expect(parseError("name: g\nconditions:\n  - 3\n").message).toMatch(
      /^gates\.yaml line 3: a condition must be a string/,
    );
    expect(parseError("- a\n").message).toMatch(/^gates\.yaml line 1: expected a mapping/);
  });

  it("loads a policy from a file and names the file in errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-gates-"));
    try {
      const path = join(dir, "gates.yaml");
      await writeFile(path, POLICY);
      expect((await loadGatePolicy(path)).file).toBe(path);
      await writeFile(path, "name: g\nconditions:\n  - acc >= x\n");
      await expect(loadGatePolicy(path)).rejects.toThrow(`${path} line 3:`);
      await expect(loadGatePolicy(join(dir, "missing.yaml"))).rejects.toThrow(/Cannot read gate policy/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
