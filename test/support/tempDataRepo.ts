/**
 * Test fixture: a fresh DVC project for one test, set up the way `dvc init` users do (inside Git, inside a
 * folder that only looks like Git, or with `--no-scm`), optionally with its `.dvc/config` replaced, in a temp
 * folder that is removed when the test finishes. Test-only; nothing in the product imports it.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { closeDataRepo, initDataRepo, openDataRepo, type DataRepo } from "../../src/data/dataRepo.js";

export interface DataRepoSetup {
  /**
   * What the project lives in. "git" runs `git init`, for tests that stage or commit; "gitFolder" makes an
   * empty `.git` folder, enough for init to take the project as Git's without the cost of running git;
   * "none" is `dvc init --no-scm`.
   */
  scm: "git" | "gitFolder" | "none";
  /**
   * Text that replaces the `.dvc/config` init wrote (a remote, a cache type). The repo is opened after it is
   * written, because an open repo has already read its config.
   */
  config?: string;
}

export interface TempDataRepoOptions extends DataRepoSetup {
  /** Start of the temp folder's name, so a folder left behind says which test made it. */
  prefix: string;
  /** The project's folder inside the temp folder, for tests that put a source or a remote beside it. */
  at?: string;
}

export interface TempDataRepo {
  /** The temp folder: the project itself, or its parent when `at` is given. */
  base: string;
  /** The project's root. */
  dir: string;
  /** The project, open; `dispose` closes it. A repo a test opens again is the test's to close. */
  repo: DataRepo;
  /** Closes `repo` and removes `base`; safe to call twice. */
  dispose(): Promise<void>;
}

/** Makes `dir` (if need be) a DVC project as `setup` says, and returns it open; the caller closes it. */
export async function initDataRepoIn(dir: string, setup: DataRepoSetup): Promise<DataRepo> {
  await mkdir(dir, { recursive: true });
  if (setup.scm === "git") execFileSync("git", ["init", "-q"], { cwd: dir });
  if (setup.scm === "gitFolder") await mkdir(join(dir, ".git"));
  const repo = await initDataRepo(dir, { noScm: setup.scm === "none" });
  if (setup.config === undefined) return repo;
  closeDataRepo(repo);
  await writeFile(join(dir, ".dvc", "config"), setup.config);
  return openDataRepo(dir);
}

/** A project in a new temp folder that the caller disposes of: for a `beforeAll`, which no test owns. */
export async function createTempDataRepo(options: TempDataRepoOptions): Promise<TempDataRepo> {
  const base = await mkdtemp(join(tmpdir(), options.prefix));
  const dir = options.at === undefined ? base : join(base, options.at);
  try {
    const repo = await initDataRepoIn(dir, options);
    const dispose = async (): Promise<void> => {
      closeDataRepo(repo);
      await rm(base, { recursive: true, force: true });
    };
    return { base, dir, repo, dispose };
  } catch (error) {
    await rm(base, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A project in a new temp folder, disposed of when the current test finishes (after its `afterEach` hooks, so
 * those may still use it). Call it in a test or a `beforeEach`.
 */
export async function tempDataRepo(options: TempDataRepoOptions): Promise<TempDataRepo> {
  const created = await createTempDataRepo(options);
  onTestFinished(created.dispose);
  return created;
}
