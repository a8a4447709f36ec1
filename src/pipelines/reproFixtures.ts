/**
 * Set-up shared by the repro tests: a fresh git workspace per test, a data repo over it, and helpers to run
 * `repro` there and read what it left. Test-only; nothing in the product imports it.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { repro, type ReproOptions, type ReproResult } from "./repro.js";

/** The current test's workspace, a git repository; a live binding, reassigned before each test. */
export let dir: string;
let repo: DataRepo | undefined;

/** Gives each test of the calling file a fresh workspace, closing its repo and removing the workspace after. */
export function useReproWorkspace(): void {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-repro-"));
    execFileSync("git", ["init", "-q"], { cwd: dir });
  });

  afterEach(async () => {
    if (repo !== undefined) closeDataRepo(repo);
    repo = undefined;
    await rm(dir, { recursive: true, force: true });
  });
}

/** Writes `files` into the workspace and opens a data repo over it. */
export async function setUp(files: Record<string, string>): Promise<DataRepo> {
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  repo = await initDataRepo(dir);
  return repo;
}

/** Runs `repro` in the repo `setUp` opened. */
export async function run(options: ReproOptions = {}): Promise<ReproResult> {
  if (repo === undefined) throw new Error("setUp first");
  return repro(repo, options);
}

/** Each stage's outcome, by stage name. */
export const outcomes = (result: ReproResult): Record<string, string> =>
  Object.fromEntries(result.stages.map((s) => [s.name, s.outcome]));

/** The text of a workspace file. */
export const read = (path: string): Promise<string> => readFile(join(dir, path), "utf8");
