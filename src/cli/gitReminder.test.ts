import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { reportFilesToTrack } from "./gitReminder.js";

let dir = "";
const git = (...args: string[]): string => execFileSync("git", args, { cwd: dir, encoding: "utf8" });
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-git-reminder-"));
  git("init", "-q");
  git("config", "user.email", "t@flowops.test");
  git("config", "user.name", "t");
  await writeFile(join(dir, "old.dvc"), "outs: []\n");
  git("add", "old.dvc");
  git("commit", "-qm", "start");
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const config = (core: Record<string, string>) => ({
  scm: true,
  config: { core, cache: {}, remotes: {}, sections: {} },
});

it("stages what changed, a deletion included, when core.autostage is set, and prints nothing", async () => {
  const write = vi.spyOn(process.stdout, "write");
  await writeFile(join(dir, "new.dvc"), "outs:\n- path: new\n");
  await rm(join(dir, "old.dvc"));
  await reportFilesToTrack(config({ autostage: "true" }), ["new.dvc", "old.dvc", "never.dvc"], dir);
  expect(git("status", "--porcelain").split("\n").filter(Boolean).sort()).toEqual([
    "A  new.dvc",
    "D  old.dvc",
  ]);
  expect(write).not.toHaveBeenCalled();
});

it("otherwise prints dvc's two reminders, quoting paths for a shell", async () => {
  let printed = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  await reportFilesToTrack(config({}), ["a b.dvc", ".gitignore"], dir);
  await reportFilesToTrack({ ...config({}), scm: false }, ["x.dvc"], dir);
  expect(printed).toBe(
    "\nTo track the changes with git, run:\n\n\tgit add 'a b.dvc' .gitignore\n" +
      "\nTo enable auto staging, run:\n\n\tflowops data config core.autostage true\n",
  );
  expect(git("status", "--porcelain")).toBe("");
});
