// `repro --pull` where the pull cannot simply bring the data, each beside what dvc 3.67.1 does (compat:
// tests/compat/dvc/test_dvc_repro_pull_edges.py).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "../data/dataRepo.js";
import { push } from "../data/pushPull.js";
import { repro, type ReproResult } from "./repro.js";
import { reproPull } from "./reproPull.js";

let root: string;
let dir: string;
let repo: DataRepo;
let previousCwd: string;
let reports: string[];

const STAGE = `stages:
  prep:
    cmd: cp data.txt s.txt && echo more >> s.txt && echo ran >> runs.log
    deps:
    - data.txt
    outs:
    - s.txt
`;
const md5 = (text: string): string => createHash("md5").update(text).digest("hex");
const CHECKOUT_FAILED = (path: string): string =>
  `Checkout failed for following targets:\n${path}\nIs your cache up to date?\n<https://error.dvc.org/missing-files>`;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "flowops-repro-pull-edges-"));
  dir = join(root, "project");
  await mkdir(dir);
  execFileSync("git", ["init", "-q"], { cwd: dir });
  closeDataRepo(await initDataRepo(dir));
  await writeFile(
    join(dir, ".dvc", "config"),
    `[core]\n    remote = storage\n['remote "storage"']\n    url = ${join(root, "remote")}\n`,
  );
  await writeFile(join(dir, "data.txt"), "data\n");
  await writeFile(join(dir, "dvc.yaml"), STAGE);
  repo = await openDataRepo(dir);
  // Checkout names failed outs from the process's cwd, as the CLI runs it.
  previousCwd = process.cwd();
  process.chdir(dir);
  reports = [];
});

afterEach(async () => {
  process.chdir(previousCwd);
  closeDataRepo(repo);
  await rm(root, { recursive: true, force: true });
});

/** `data.txt` tracked by data.txt.dvc, with its object in the cache. */
async function trackData(): Promise<void> {
  await repo.cache.addBytes(md5("data\n"), Buffer.from("data\n"));
  await writeFile(
    join(dir, "data.txt.dvc"),
    `outs:\n- md5: ${md5("data\n")}\n  size: 5\n  hash: md5\n  path: data.txt\n`,
  );
}

async function reproPulling(options: { ignoreErrors?: true; targets?: string[] } = {}): Promise<ReproResult> {
  const pull = reproPull(repo, {
    cwd: dir,
    onMissingObjects: (missing) => reports.push(`missing ${missing.map((item) => item.oid).join(" ")}`),
    onOutsNotPulled: (stage) => reports.push(`unable ${stage.name}`),
    onMissingAgain: (missing) => reports.push(`again ${missing.map((item) => item.name).join(" ")}`),
    onWarning: (message) => reports.push(`warning ${message}`),
  });
  const targets = options.targets === undefined ? {} : { targets: options.targets, singleItem: true };
  return repro(repo, { pull, cwd: dir, ...targets, ...(options.ignoreErrors ? { ignoreErrors: true } : {}) });
}

const outcomes = (result: ReproResult): Record<string, string> =>
  Object.fromEntries([
    ...result.dataSources.map((s) => [s.dvcFile.slice(dir.length + 1), `${s.outcome}:${s.message ?? ""}`]),
    ...result.stages.map((s) => [s.name, `${s.outcome}:${s.message ?? ""}`]),
  ]);

// Regression: the dep's failed checkout was a FlowOps warning, and the stage then failed on its Errno 2.
it("fails a stage whose missing dep will not check out with dvc's CheckoutError, after its outs' pull", async () => {
  await trackData();
  await repro(repo);
  await rm(repo.cacheDir, { recursive: true, force: true });
  await rm(join(dir, "data.txt"));
  await rm(join(dir, "s.txt"));

  const result = await reproPulling({ ignoreErrors: true });

  expect(outcomes(result)).toEqual({
    "data.txt.dvc": "failed:failed to reproduce 'data.txt.dvc': missing data 'source': data.txt",
    prep: `failed:failed to reproduce 'prep': ${CHECKOUT_FAILED("data.txt")}`,
  });
  // dvc's order: the outs' pull, "Unable to pull", then `_pull_missing_deps`; no restore is reached.
  expect(reports).toEqual([
    `missing ${md5("data\n")}`,
    "unable data.txt.dvc",
    `missing ${md5("data\nmore\n")}`,
    "unable prep",
    `missing ${md5("data\n")}`,
  ]);
  expect(await readFile(join(dir, "runs.log"), "utf8")).toBe("ran\n");
});

// Regression: an out with no hash recorded was not warned of, and its missing dep failed on Errno 2.
it("warns of outs with no hash recorded, as dvc-data, in the outs' pull and in the dep's", async () => {
  await writeFile(
    join(dir, "dvc.yaml"),
    "stages:\n  a:\n    cmd: cp data.txt a.txt\n    deps:\n    - data.txt\n    outs:\n    - a.txt\n" +
      "  b:\n    cmd: cp a.txt b.txt\n    deps:\n    - a.txt\n    outs:\n    - b.txt\n",
  );

  const result = await reproPulling({ targets: ["b"] });

  expect(outcomes(result)).toEqual({ b: `failed:failed to reproduce 'b': ${CHECKOUT_FAILED("a.txt")}` });
  expect(reports).toEqual([
    `warning No file hash info found for '${join(dir, "b.txt")}'. It won't be created.`,
    "unable b",
    `warning No file hash info found for '${join(dir, "a.txt")}'. It won't be created.`,
  ]);
});

// Regression: data still in the workspace whose object was gone everywhere passed as pulled.
it("fails a .dvc file and a stage whose file is in the workspace but its object nowhere, as dvc's checkout", async () => {
  await trackData();
  await repro(repo);
  await rm(repo.cacheDir, { recursive: true, force: true });

  const result = await reproPulling({ ignoreErrors: true });

  const refusal = (path: string): string =>
    `unable to remove '${join(dir, path)}' without a confirmation. Use \`-f\` to force.`;
  expect(outcomes(result)).toEqual({
    "data.txt.dvc": `failed:failed to reproduce 'data.txt.dvc': ${refusal("data.txt")}`,
    prep: `failed:failed to reproduce 'prep': ${refusal("s.txt")}`,
  });
  expect(reports).toEqual([`missing ${md5("data\n")}`, `missing ${md5("data\nmore\n")}`]);
});

// Regression: the checkout's refusal was a FlowOps warning, and the stage ran over the edited out.
it("fails a stage whose edited out is not in the cache: the pull will not overwrite it, as dvc's", async () => {
  await repro(repo);
  expect((await push(repo)).failed).toEqual([]);
  await rm(repo.cacheDir, { recursive: true, force: true });
  await writeFile(join(dir, "s.txt"), "edited\n");

  const result = await reproPulling();

  expect(outcomes(result)).toEqual({
    prep:
      "failed:failed to reproduce 'prep': Can't remove the following unsaved files without confirmation. " +
      `Use \`--force\` to force.\n${join(dir, "s.txt")}`,
  });
  expect(await readFile(join(dir, "s.txt"), "utf8")).toBe("edited\n");
  expect(await readFile(join(dir, "runs.log"), "utf8")).toBe("ran\n");
});
