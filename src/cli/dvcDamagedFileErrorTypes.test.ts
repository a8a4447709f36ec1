// Which of dvc's errors a damaged dvc.yaml, dvc.lock or `.dvc` file is reported as, and where its message
// places the problem; each observed with dvc 3.67.1 (dvc/utils/strictyaml.py) in a repository made by
// `git init` and `dvc init`: YAMLSyntaxError for text that is not YAML, YAMLValidationError for a schema problem.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flowopsInProcess as flowops } from "../../test/support/cliInProcess.js";

const PIPELINE =
  "stages:\n  a:\n    cmd: echo a > a.txt\n    outs:\n    - a.txt\n" +
  "    metrics:\n    - m.json:\n        cache: false\n    plots:\n    - p.json:\n        cache: false\n";

let dir: string;
let previousCwd: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-dvc-damaged-types-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  previousCwd = process.cwd();
  process.chdir(dir);
  await flowops("data", "init");
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
  await writeFile(join(dir, "m.json"), '{"acc": 0.5}\n');
  await writeFile(join(dir, "p.json"), '[{"x": 1, "y": 2}]\n');
});

afterEach(async () => {
  process.chdir(previousCwd);
  await rm(dir, { recursive: true, force: true });
});

// [what, file, text, dvc's class, the place our message gives]. dvc's place for a schema problem is the
// mapping that holds the bad key; ours is the key itself, so only the syntax places are dvc's exactly.
const DAMAGES: [string, string, string, string, string][] = [
  [
    "a dvc.lock that is not YAML",
    "dvc.lock",
    "schema: '2.0'\nstages: [\n",
    "YAMLSyntaxError",
    ":3: invalid YAML",
  ],
  [
    "a dvc.lock with a bad stage",
    "dvc.lock",
    "schema: '2.0'\nstages:\n  a: 5\n",
    "YAMLValidationError",
    ":3:",
  ],
  ["an empty dvc.lock", "dvc.lock", "", "YAMLValidationError", ":1: required key not provided"],
  ["a dvc.yaml that is not YAML", "dvc.yaml", "stages: [\n", "YAMLSyntaxError", ":2: invalid YAML"],
  [
    "a dvc.yaml with an unknown stage key",
    "dvc.yaml",
    "stages:\n  a:\n    cmd: echo\n    bogus: 1\n",
    "YAMLValidationError",
    ":4: stages.a: extra key 'bogus' not allowed",
  ],
  ["a .dvc file that is not YAML", "x.dvc", "outs:\n- md5: [\n", "YAMLSyntaxError", ":3: invalid YAML"],
  [
    "a .dvc file with an unknown out key",
    "x.dvc",
    "outs:\n- md5: abc\n  path: x\n  bogus: 1\n",
    "YAMLValidationError",
    ":4: extra keys not allowed, in outs -> 0 -> bogus",
  ],
];

const PLACES: Record<string, string> = {
  "a dvc.lock that is not YAML": ", in line 3, column 1",
  "a dvc.lock with a bad stage": ", line 3, column 3",
  "an empty dvc.lock": ", line 1, column 1",
  "a dvc.yaml that is not YAML": ", in line 2, column 1",
  "a dvc.yaml with an unknown stage key": ", line 4, column 5",
  "a .dvc file that is not YAML": ", in line 3, column 1",
  "a .dvc file with an unknown out key": ", line 4, column 3",
};

describe("the class of a damaged dvc file's error in --json reports", () => {
  // Regression: every one of these was reported as "DvcException"; dvc names its YAML error classes there.
  it.each(DAMAGES)(
    "%s (%s) is reported under dvc's class in metrics show and plots show",
    async (what, file, text, type, fact) => {
      await writeFile(join(dir, file), text);
      const metrics = await flowops("metrics", "show", "--json");
      expect(metrics.code).toBe(0);
      const revision = (
        JSON.parse(metrics.stdout) as Record<string, { error?: { type: string; msg: string } }>
      )[""];
      expect(revision?.error?.type).toBe(type);
      expect(revision?.error?.msg).toContain(`${file}${fact}`);
      expect(revision?.error?.msg).toContain(PLACES[what]);
      const plots = await flowops("plots", "show", "--json");
      const errors = (JSON.parse(plots.stdout) as { errors?: { rev: string; type: string }[] }).errors;
      expect(errors).toEqual([expect.objectContaining({ rev: "workspace", type })]);
    },
  );

  it("keeps the class for a damaged lock committed on a branch", async () => {
    await writeFile(join(dir, "dvc.lock"), "schema: '2.0'\nstages: [\n");
    execFileSync("git", ["add", "-A"], { cwd: dir });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"], { cwd: dir });
    execFileSync("git", ["branch", "-M", "trunk"], { cwd: dir });
    await rm(join(dir, "dvc.lock"));
    const shown = await flowops("metrics", "show", "-a", "--json");
    const parsed = JSON.parse(shown.stdout) as Record<string, { error?: { type: string; msg: string } }>;
    expect(parsed.trunk?.error?.type).toBe("YAMLSyntaxError");
    expect(parsed.trunk?.error?.msg).toMatch(/:dvc\.lock:3: invalid YAML: .*, in line 3, column 1$/);
  });

  it("types an interpolation failure ResolveError, with dvc's message", async () => {
    // dvc 3.67.1: {"": {"error": {"type": "ResolveError", "msg": "failed to parse 'stages.a.cmd' in 'dvc.yaml': Could not find 'nope'"}}}
    await writeFile(join(dir, "dvc.yaml"), "stages:\n  a:\n    cmd: echo ${nope}\n");
    const shown = await flowops("metrics", "show", "--json");
    const revision = (JSON.parse(shown.stdout) as Record<string, { error?: { type: string; msg: string } }>)[
      ""
    ];
    expect(revision?.error).toEqual({
      type: "ResolveError",
      msg: "failed to parse 'stages.a.cmd' in 'dvc.yaml': Could not find 'nope'",
    });
  });
});

describe("the message of a command that a damaged dvc file stops", () => {
  // Regression: the message named file and line but not the column dvc gives.
  it("repro names the file, line and column as dvc's does, and exits 255", async () => {
    await writeFile(join(dir, "dvc.yaml"), 'stages:\n  a:\n    cmd: "echo a\n    outs:\n    - a.txt\n');
    // rich draws at $COLUMNS, else the terminal's width: dvc's output compared here is 80 columns wide.
    const columns = process.env.COLUMNS;
    process.env.COLUMNS = "80";
    const result = await flowops("repro").finally(() => {
      if (columns === undefined) delete process.env.COLUMNS;
      else process.env.COLUMNS = columns;
    });
    expect(result.code).toBe(255);
    // dvc's YAMLSyntaxError report: ruamel's context and problem, each with its source line as rich draws it.
    const pad = (line: string): string => line.padEnd(80);
    expect(result.stderr).toBe(
      [
        "'./dvc.yaml' is invalid.",
        "",
        "While scanning a quoted scalar, in line 3, column 10",
        pad('  3 │   cmd: "echo a'),
        "",
        "Found unexpected end of stream, in line 6, column 1",
        pad("  6"),
        "",
      ].join("\n"),
    );
  });
});
