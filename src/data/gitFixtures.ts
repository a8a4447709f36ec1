/** Test fixture: runs git in a directory with a fixed identity, so commits work on a machine without one. */
import { execFileSync } from "node:child_process";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};

export function gitIn(dir: () => string): (...args: string[]) => string {
  return (...args) => execFileSync("git", args, { cwd: dir(), env: GIT_ENV, encoding: "utf8" });
}
