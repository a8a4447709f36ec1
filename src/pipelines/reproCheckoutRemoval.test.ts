// `repro --pull` where a file's object is gone from the cache and the remote, as dvc 3.67.1's checkout asks
// on a terminal (tests/compat/dvc/test_dvc_repro_import_prompt.py): "file/directory '<abs>' is going to be
// removed. Are you sure you want to proceed? [y/n]"; no is its ConfirmRemoveError, yes removes the file and
// the link from the missing object fails with Errno 2.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "../data/dataRepo.js";
import { repro, type ReproResult } from "./repro.js";
import { reproPull } from "./reproPull.js";

let root: string;
let dir: string;
let repo: DataRepo;
let previousCwd: string;
let asked: string[];

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "flowops-checkout-removal-"));
  dir = join(root, "project");
  await mkdir(dir);
  execFileSync("git", ["init", "-q"], { cwd: dir });
  closeDataRepo(await initDataRepo(dir));
  await writeFile(
    join(dir, ".dvc", "config"),
    `[core]\n    remote = storage\n['remote "storage"']\n    url = ${join(root, "remote")}\n`,
  );
  await writeFile(join(dir, "data.txt"), "data\n");
  await writeFile(
    join(dir, "dvc.yaml"),
    "stages:\n  prep:\n    cmd: cp data.txt s.txt\n    deps:\n    - data.txt\n    outs:\n    - s.txt\n",
  );
  await writeFile(
    join(dir, "data.txt.dvc"),
    `outs:\n- md5: ${md5("data\n")}\n  size: 5\n  hash: md5\n  path: data.txt\n`,
  );
  repo = await openDataRepo(dir);
  previousCwd = process.cwd();
  process.chdir(dir);
  await repo.cache.addBytes(md5("data\n"), Buffer.from("data\n"));
  await repro(repo);
  await rm(repo.cacheDir, { recursive: true, force: true });
  asked = [];
});

afterEach(async () => {
  process.chdir(previousCwd);
  closeDataRepo(repo);
  await rm(root, { recursive: true, force: true });
});

function reproPulling(answers: boolean[]): Promise<ReproResult> {
  const pull = reproPull(repo, {
    cwd: dir,
    confirmRemoval: async (statement) => {
      asked.push(statement);
      return answers.shift() ?? false;
    },
  });
  return repro(repo, { pull, cwd: dir, ignoreErrors: true });
}

const failures = (result: ReproResult): (string | undefined)[] => [
  ...result.dataSources.map((source) => source.message),
  ...result.stages.map((stage) => stage.message),
];
const removal = (path: string): string =>
  `file/directory '${join(dir, path)}' is going to be removed. Are you sure you want to proceed?`;

it("asks before removing a file whose object is nowhere; no keeps it and fails with dvc's refusal", async () => {
  const result = await reproPulling([false, false]);

  expect(asked).toEqual([removal("data.txt"), removal("s.txt")]);
  const refusal = (path: string): string =>
    `unable to remove '${join(dir, path)}' without a confirmation. Use \`-f\` to force.`;
  expect(failures(result)).toEqual([
    `failed to reproduce 'data.txt.dvc': ${refusal("data.txt")}`,
    `failed to reproduce 'prep': ${refusal("s.txt")}`,
  ]);
  expect([existsSync(join(dir, "data.txt")), existsSync(join(dir, "s.txt"))]).toEqual([true, true]);
});

it("removes the file on yes, then fails as dvc's link from the missing object does", async () => {
  const result = await reproPulling([true, false]);

  expect(failures(result)).toEqual([
    `failed to reproduce 'data.txt.dvc': [Errno 2] No such file or directory: '${join(dir, "data.txt")}'`,
    `failed to reproduce 'prep': unable to remove '${join(dir, "s.txt")}' without a confirmation. Use \`-f\` to force.`,
  ]);
  expect([existsSync(join(dir, "data.txt")), existsSync(join(dir, "s.txt"))]).toEqual([false, true]);
});
