import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { addPreCommitEntry } from "./preCommitConfig.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-precommit-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const ENTRY = `- repo: local
  hooks:
  - id: flowops-pre-commit
    name: FlowOps pre-commit
    entry: flowops data git-hook pre-commit
    language: system
    require_serial: true
    stages:
    - pre-commit
    verbose: true
  - id: flowops-pre-push
    name: FlowOps pre-push
    entry: flowops data git-hook pre-push
    language: system
    require_serial: true
    stages:
    - pre-push
  - id: flowops-post-checkout
    name: FlowOps post-checkout
    entry: flowops data git-hook post-checkout
    language: system
    require_serial: true
    stages:
    - post-checkout
    always_run: true
`;

it("creates the config with one entry, and adds it only once", async () => {
  expect(await addPreCommitEntry(dir)).toEqual({ path: join(dir, ".pre-commit-config.yaml"), added: true });
  expect(await readFile(join(dir, ".pre-commit-config.yaml"), "utf8")).toBe(`repos:\n${ENTRY}`);
  expect((await addPreCommitEntry(dir)).added).toBe(false);
  expect(await readFile(join(dir, ".pre-commit-config.yaml"), "utf8")).toBe(`repos:\n${ENTRY}`);
});

it("appends to the repos there, dumped again as dvc's ruamel round trip dumps them", async () => {
  await writeFile(
    join(dir, ".pre-commit-config.yaml"),
    '# my hooks\nrepos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n    entry: "true"\n    language: system\n',
  );
  await addPreCommitEntry(dir);
  expect(await readFile(join(dir, ".pre-commit-config.yaml"), "utf8")).toBe(
    "# my hooks\nrepos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n    entry: 'true'\n    language: system\n" +
      ENTRY,
  );
});

it("refuses a config that is not YAML", async () => {
  await writeFile(join(dir, ".pre-commit-config.yaml"), "repos: [\n");
  await expect(addPreCommitEntry(dir)).rejects.toThrow("YAML file structure is corrupted");
});
