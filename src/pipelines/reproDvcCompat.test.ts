import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, sep } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { repro } from "./repro.js";
import { dir, useReproWorkspace } from "./reproFixtures.js";

// What repro writes compared byte for byte with what dvc itself writes, when tests/compat has a dvc.

useReproWorkspace();

let repo: DataRepo | undefined;

afterEach(() => {
  if (repo !== undefined) closeDataRepo(repo);
  repo = undefined;
});

const DVC_BIN = join(import.meta.dirname, "..", "..", "tests", "compat", ".venv", "dvc", "bin", "dvc");
/** Each dvc command takes seconds, more on a loaded 2-core machine. */
const DVC_TIMEOUT_MS = 120_000;

describe("repro compatibility with dvc", () => {
  const FOREACH_PIPELINE = `stages:
  build:
    foreach: [x, y]
    do:
      cmd:
      - echo \${item} > out_\${item}.txt
      - ./run.sh > log_\${item}.txt && cp run.sh exe_\${item}.sh
      wdir: sub
      deps: [data.txt, run.sh]
      params:
      - ../params.yaml:
        - lr
        - nested
      - other.yaml:
        - a.b
      outs:
      - out_\${item}.txt
      - exe_\${item}.sh
      metrics:
      - log_\${item}.txt:
          cache: false
`;

  async function workspace(root: string): Promise<void> {
    execFileSync("git", ["init", "-q"], { cwd: root });
    await mkdir(join(root, "sub"));
    await writeFile(join(root, "dvc.yaml"), FOREACH_PIPELINE);
    await writeFile(join(root, "params.yaml"), "lr: 1.0\nnested:\n  x: [1, 2]\n");
    await writeFile(join(root, "sub", "data.txt"), "hello\n");
    await writeFile(join(root, "sub", "other.yaml"), "a:\n  b: 3\n");
    await writeFile(join(root, "sub", "run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
  }

  async function runCacheFiles(root: string): Promise<string[]> {
    const runs = join(root, ".dvc", "cache", "runs");
    return (await readdir(runs, { recursive: true })).filter((p) => p.split(sep).length === 3).sort();
  }

  it.skipIf(!existsSync(DVC_BIN) && process.env.FLOWOPS_REQUIRE_DVC !== "1")(
    "writes the dvc.lock, run-cache entries and .gitignore dvc writes for a foreach stage with wdir and params files",
    async () => {
      const dvcRoot = join(dir, "with-dvc");
      const ourRoot = join(dir, "with-flowops");
      await mkdir(dvcRoot);
      await mkdir(ourRoot);
      await workspace(dvcRoot);
      await workspace(ourRoot);
      execFileSync(DVC_BIN, ["init", "-q"], { cwd: dvcRoot });
      execFileSync(DVC_BIN, ["repro", "-q"], { cwd: dvcRoot });
      repo = await initDataRepo(ourRoot);
      expect((await repro(repo, { jobs: 2 })).ok).toBe(true);
      for (const file of ["dvc.lock", join("sub", ".gitignore")]) {
        expect(await readFile(join(ourRoot, file), "utf8")).toBe(await readFile(join(dvcRoot, file), "utf8"));
      }
      const entries = await runCacheFiles(dvcRoot);
      expect(entries).toHaveLength(2);
      expect(await runCacheFiles(ourRoot)).toEqual(entries);
      expect(execFileSync(DVC_BIN, ["status", "--json"], { cwd: ourRoot, encoding: "utf8" }).trim()).toBe(
        "{}",
      );
    },
    DVC_TIMEOUT_MS,
  );
});
