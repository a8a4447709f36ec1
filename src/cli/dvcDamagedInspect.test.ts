// What dvc's read-only views (metrics, params, plots) and `status -c` do with a damaged dvc.lock or dvc.yaml,
// in a repository without commits, and with a config that does not load; each observed with dvc 3.67.1 in a
// repository made by `git init` and `dvc init`.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flowopsInProcess as flowops } from "../../test/support/cliInProcess.js";

const PIPELINE =
  "stages:\n  a:\n    cmd: echo a > a.txt\n    params:\n    - lr\n    outs:\n    - a.txt\n" +
  "    metrics:\n    - m.json:\n        cache: false\n    plots:\n    - p.json:\n        cache: false\n";

const BROKEN_LOCK = "schema: '2.0'\nstages: [\n";

let dir: string;
let previousCwd: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-dvc-damaged-inspect-"));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  previousCwd = process.cwd();
  process.chdir(dir);
  await flowops("data", "init");
  await writeFile(join(dir, "dvc.yaml"), PIPELINE);
  await writeFile(join(dir, "params.yaml"), "lr: 1\n");
  await writeFile(join(dir, "m.json"), '{"acc": 0.5}\n');
  await writeFile(join(dir, "p.json"), '[{"x": 1, "y": 2}]\n');
});

afterEach(async () => {
  process.chdir(previousCwd);
  await rm(dir, { recursive: true, force: true });
});

function commit(): void {
  execFileSync("git", ["add", "-A"], { cwd: dir });
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"], { cwd: dir });
}

describe("a damaged dvc.lock or dvc.yaml in the workspace", () => {
  // Regression: metrics show printed the workspace's metrics as if the lock were fine (and failed with 255 on a
  // damaged dvc.yaml); dvc's index loads the lock, so it warns that the revision failed and still exits 0.
  it.each([
    ["a dvc.lock that is not YAML", "dvc.lock", BROKEN_LOCK, "dvc.lock:3: invalid YAML"],
    ["an empty dvc.lock", "dvc.lock", "", "required key not provided @ data['schema']"],
    ["a dvc.lock with a bad stage", "dvc.lock", "schema: '2.0'\nstages:\n  a: 5\n", "stage 'a'"],
    ["a dvc.yaml that is not YAML", "dvc.yaml", "stages: [\n", "dvc.yaml:2: invalid YAML"],
  ])("with %s, metrics show warns, reports the error entry and exits 0", async (_what, file, text, why) => {
    await writeFile(join(dir, file), text);
    const shown = await flowops("metrics", "show");
    expect([shown.code, shown.stdout]).toEqual([0, ""]);
    const [warning, closing, ...rest] = shown.stderr.split("\n");
    expect(warning).toMatch(/^WARNING: failed to load metrics in revision '', /);
    expect(warning).toContain(why);
    expect([closing, ...rest]).toEqual(["DVC failed to load some metrics for following revisions: ''.", ""]);
    const json = await flowops("metrics", "show", "--json");
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as Record<string, { error?: { type: string; msg: string } }>;
    expect(Object.keys(parsed)).toEqual([""]);
    expect(parsed[""]?.error?.msg).toContain(why);
  });

  it("labels the workspace 'workspace' across revisions, as dvc's -A does", async () => {
    commit();
    await writeFile(join(dir, "dvc.lock"), BROKEN_LOCK);
    const shown = await flowops("metrics", "show", "-A", "--json");
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(/^WARNING: failed to load metrics in revision 'workspace', /);
    expect(shown.stderr).toContain("DVC failed to load some metrics for following revisions: 'workspace'.\n");
    const parsed = JSON.parse(shown.stdout) as Record<string, unknown>;
    expect(Object.keys(parsed)).toHaveLength(2);
    expect(Object.values(parsed)[1]).toEqual({ data: { "m.json": { data: { acc: 0.5 } } } });
  });

  // Regression: a branch whose committed dvc.lock is damaged showed its metrics; dvc keeps it with its error,
  // warning under the branch's name.
  it("keeps a branch whose committed dvc.lock is damaged, with its error, under the branch's name", async () => {
    await writeFile(join(dir, "dvc.lock"), BROKEN_LOCK);
    commit();
    execFileSync("git", ["branch", "-M", "trunk"], { cwd: dir });
    await rm(join(dir, "dvc.lock"));
    const shown = await flowops("metrics", "show", "-a", "--json");
    expect(shown.code).toBe(0);
    const parsed = JSON.parse(shown.stdout) as Record<string, { error?: { msg: string } }>;
    expect(Object.keys(parsed)).toEqual(["workspace", "trunk"]);
    expect(parsed.trunk?.error?.msg).toContain(":dvc.lock:3: invalid YAML");
    expect(shown.stderr).toMatch(/^WARNING: failed to load metrics in revision 'trunk', /);
    expect(shown.stderr).toContain("DVC failed to load some metrics for following revisions: 'trunk'.\n");
  });

  // Regression: the diffs read the workspace's metrics and params past a damaged lock (so found nothing
  // changed, silently); dvc counts the workspace as failed: it compares HEAD with nothing and says so.
  it.each([
    ["metrics", "m.json", { acc: { old: 0.5, new: null } }],
    ["params", "params.yaml", { lr: { old: 1, new: null } }],
  ])(
    "%s diff warns, names the failed revision and compares HEAD with nothing",
    async (what, path, change) => {
      commit();
      await writeFile(join(dir, "dvc.lock"), BROKEN_LOCK);
      const diff = await flowops(what, "diff", "--json");
      expect(diff.code).toBe(0);
      expect(JSON.parse(diff.stdout)).toEqual({ [path]: change });
      const [warning, closing, ...rest] = diff.stderr.split("\n");
      expect(warning).toMatch(
        new RegExp(`^WARNING: failed to load ${what} in revision 'workspace', .*dvc\\.lock:3`),
      );
      // dvc's params diff says "metrics" here too.
      expect([closing, ...rest]).toEqual([
        "DVC failed to load some metrics for following revisions: 'workspace'.",
        "",
      ]);
    },
  );

  // Regression: plots show drew the workspace's plots past a damaged lock.
  it("plots show reports the workspace as failed, in dvc's errors list, and exits 0", async () => {
    await writeFile(join(dir, "dvc.lock"), BROKEN_LOCK);
    const shown = await flowops("plots", "show", "--json");
    expect(shown.code).toBe(0);
    const parsed = JSON.parse(shown.stdout) as { errors?: { rev: string; msg: string }[]; data?: unknown };
    expect(parsed.data).toBeUndefined();
    expect(parsed.errors?.map((e) => e.rev)).toEqual(["workspace"]);
    expect(parsed.errors?.[0]?.msg).toContain("dvc.lock:3: invalid YAML");
    expect(shown.stderr).toBe("DVC failed to load some plots for following revisions: 'workspace'.\n");
  });

  it("a damaged dvc.lock committed at HEAD costs HEAD its plots, not the workspace", async () => {
    await writeFile(join(dir, "dvc.lock"), BROKEN_LOCK);
    commit();
    await rm(join(dir, "dvc.lock"));
    const shown = await flowops("plots", "diff", "HEAD", "--json");
    expect(shown.code).toBe(0);
    const parsed = JSON.parse(shown.stdout) as { errors?: { rev: string; msg: string }[] };
    expect(parsed.errors?.map((e) => e.rev)).toEqual(["HEAD"]);
    expect(parsed.errors?.[0]?.msg).toContain("HEAD:dvc.lock:3: invalid YAML");
  });

  // Regression: status -c gave the lock's error alone; dvc wraps what stops collecting the workspace.
  it.each([
    ["a damaged dvc.lock", [], "dvc.lock:3: invalid YAML"],
    ["a target that names nothing", ["nosuch"], "'nosuch' does not exist as an output or a stage name"],
  ])(
    "data status -c with %s fails (1) with dvc's 'Failed to collect' message",
    async (_what, targets, why) => {
      if (targets.length === 0) await writeFile(join(dir, "dvc.lock"), BROKEN_LOCK);
      const status = await flowops("data", "status", "-c", ...targets);
      expect([status.code, status.stdout]).toEqual([1, ""]);
      expect(status.stderr).toMatch(/Failed to collect 'workspace': /);
      expect(status.stderr).toContain(why);
    },
  );
});

describe("a Git repository without commits", () => {
  // Regression: the diffs failed (255) on "unknown Git revision 'HEAD'"; dvc's diffs return nothing there,
  // whatever revisions they are given.
  it.each([
    ["params diff", ["params", "diff"]],
    ["params diff HEAD~1 main", ["params", "diff", "HEAD~1", "main"]],
    ["metrics diff", ["metrics", "diff"]],
    ["metrics diff nosuch", ["metrics", "diff", "nosuch"]],
  ])("%s exits 0 with nothing to show", async (_command, args) => {
    const plain = await flowops(...args);
    expect([plain.code, plain.stdout, plain.stderr]).toEqual([0, "", ""]);
    const json = await flowops(...args, "--json");
    expect([json.code, json.stdout, json.stderr]).toEqual([0, "{}\n", ""]);
  });

  // Regression: -A failed on git's "ambiguous argument 'HEAD'"; dvc shows the workspace alone.
  it("metrics show -A shows the workspace alone", async () => {
    const shown = await flowops("metrics", "show", "-A", "--json");
    expect([shown.code, shown.stderr]).toEqual([0, ""]);
    expect(JSON.parse(shown.stdout)).toEqual({ workspace: { data: { "m.json": { data: { acc: 0.5 } } } } });
  });
});

describe("plots modify with a .dvc/config that does not load", () => {
  // Regression: modify never read the config, so it went on (and failed on the target, 255); dvc fails as it
  // opens the repository, with "configuration error" (251), and writes nothing.
  it("exits 251 naming the problem and leaves dvc.yaml as it was", async () => {
    await appendFile(join(dir, ".dvc", "config"), "[bogus]\n    a = 1\n");
    const modified = await flowops("plots", "modify", "p.json", "-x", "x");
    expect(modified.code).toBe(251);
    expect(modified.stderr).toContain("extra keys not allowed @ data['bogus']");
    expect(await readFile(join(dir, "dvc.yaml"), "utf8")).toBe(PIPELINE);
    expect(existsSync(join(dir, "a.txt"))).toBe(false);
  });
});
