import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { GIT_HOOKS, installGitHooks, postCheckoutWantsCheckout, whichShell } from "./gitHooks.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-hooks-"));
  await mkdir(join(dir, ".git"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("writes dvc's three hooks, running flowops, with scmrepo's shebang and mode", async () => {
  const result = await installGitHooks({ root: dir, scm: true }, { shell: "/usr/bin/sh" });
  expect(result?.hooks).toEqual(GIT_HOOKS.map((hook) => join(dir, ".git/hooks", hook)));
  expect(await readFile(join(dir, ".git/hooks/post-checkout"), "utf8")).toBe(
    "#!/usr/bin/sh\nexec flowops data git-hook post-checkout $@\n",
  );
  expect((await stat(join(dir, ".git/hooks/pre-push"))).mode & 0o777).toBe(0o777);
});

it("a project in a subdirectory installs into its Git root's hooks", async () => {
  await mkdir(join(dir, "project"));
  await installGitHooks({ root: join(dir, "project"), scm: true }, { shell: "/bin/sh" });
  expect(await readFile(join(dir, ".git/hooks/pre-commit"), "utf8")).toContain("git-hook pre-commit");
});

it("refuses, writing nothing, when any of the hooks exists; does nothing outside Git", async () => {
  await mkdir(join(dir, ".git/hooks"));
  await writeFile(join(dir, ".git/hooks/pre-push"), "#!/bin/sh\n");
  await expect(installGitHooks({ root: dir, scm: true })).rejects.toThrow(
    "failed to install DVC Git hooks - Hook 'pre-push' already exists. Please refer to " +
      "<https://man.dvc.org/install> for more info.",
  );
  await expect(stat(join(dir, ".git/hooks/post-checkout"))).rejects.toThrow();
  expect(await installGitHooks({ root: dir, scm: false })).toBeUndefined();
});

it("finds sh on PATH as shutil.which does, /bin/sh when there is none", async () => {
  await mkdir(join(dir, "bin"));
  await writeFile(join(dir, "bin/sh"), "", { mode: 0o755 });
  expect(whichShell(`${join(dir, "none")}:${join(dir, "bin")}`)).toBe(join(dir, "bin/sh"));
  expect(whichShell(join(dir, "none"))).toBe("/bin/sh");
});

it("checks out after a branch checkout only, never during a rebase", async () => {
  expect(postCheckoutWantsCheckout(["a", "b", "1"], {}, dir)).toBe(true);
  expect(postCheckoutWantsCheckout(["a", "b", "0"], {}, dir)).toBe(false);
  expect(postCheckoutWantsCheckout([], { PRE_COMMIT_CHECKOUT_TYPE: "1" }, dir)).toBe(true);
  await mkdir(join(dir, ".git/rebase-merge"));
  expect(postCheckoutWantsCheckout(["a", "b", "1"], {}, dir)).toBe(false);
});
