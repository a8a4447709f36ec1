import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addRemote,
  defaultRemote,
  listRemotes,
  modifyRemote,
  removeRemote,
  renameRemote,
  setDefaultRemote,
  storedRemoteUrl,
  unsetDefaultRemote,
} from "./remoteConfig.js";
import { openDataRemote } from "./dataRemote.js";
import { readDvcConfig } from "./dvcConfig.js";

let root: string;
let dvcDir: string;
const config = (): Promise<string> => readFile(join(dvcDir, "config"), "utf8");
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "flowops-remotes-"));
  dvcDir = join(root, ".dvc");
  await mkdir(dvcDir);
  await writeFile(join(dvcDir, "config"), "");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("remote config", () => {
  it("stores a relative path relative to .dvc/ like dvc remote add", async () => {
    await addRemote(dvcDir, "r", "../x", { makeDefault: true, cwd: root });
    // Observed: `dvc remote add -d r ../x` from the repo root.
    expect(await config()).toBe("[core]\n    remote = r\n['remote \"r\"']\n    url = ../../x\n");
    expect(storedRemoteUrl("sub/rel", dvcDir, join(root, "sub2"))).toBe("../sub2/sub/rel");
    expect(storedRemoteUrl("s3://b/p", dvcDir, root)).toBe("s3://b/p");
  });

  it("stores added names in lower case and finds remotes whatever the case, as dvc does", async () => {
    await addRemote(dvcDir, "Store", "/tmp/rs1", { makeDefault: true, cwd: root });
    await addRemote(dvcDir, "Other", "/tmp/rs2", { cwd: root });
    await setDefaultRemote(dvcDir, "OTHER");
    await modifyRemote(dvcDir, "STORE", "jobs", "3");
    // Observed: the same four dvc commands.
    expect(await config()).toBe(
      "[core]\n    remote = other\n['remote \"store\"']\n    url = /tmp/rs1\n    jobs = 3\n['remote \"other\"']\n    url = /tmp/rs2\n",
    );
    const repo = { dvcDir, config: await readDvcConfig(dvcDir) };
    expect(openDataRemote(repo, "Store").url).toBe("/tmp/rs1");
  });

  it("refuses to overwrite a remote without force, and force replaces the whole section", async () => {
    await addRemote(dvcDir, "r", "/y", { cwd: root });
    await modifyRemote(dvcDir, "r", "jobs", "3");
    await expect(addRemote(dvcDir, "r", "/z", { cwd: root })).rejects.toThrow(
      "remote 'r' already exists. Use `-f|--force` to overwrite it.",
    );
    await addRemote(dvcDir, "r", "/z", { force: true, cwd: root });
    expect(await config()).toBe("['remote \"r\"']\n    url = /z\n");
  });

  it("replaces a remote in place with force, as dvc: the other remotes keep their order", async () => {
    await addRemote(dvcDir, "a", "/a", { cwd: root });
    await addRemote(dvcDir, "b", "/b", { cwd: root });
    await addRemote(dvcDir, "a", "/a2", { force: true, cwd: root });
    expect(await config()).toBe("['remote \"a\"']\n    url = /a2\n['remote \"b\"']\n    url = /b\n");
  });

  it("renames a remote as dvc remote rename: moved to the end, the default following it", async () => {
    await addRemote(dvcDir, "a", "/ra", { makeDefault: true, cwd: root });
    await addRemote(dvcDir, "b", "/rb", { cwd: root });
    await modifyRemote(dvcDir, "a", "jobs", "4");
    await writeFile(join(dvcDir, "config.local"), "[core]\n    remote = a\n");
    await renameRemote(dvcDir, "a", "c");
    // Observed: dvc 3.67.1 after the same commands (without the local file).
    expect(await config()).toBe(
      "[core]\n    remote = c\n['remote \"b\"']\n    url = /rb\n['remote \"c\"']\n    url = /ra\n    jobs = 4\n",
    );
    expect(await readFile(join(dvcDir, "config.local"), "utf8")).toBe("[core]\n    remote = c\n");
    await expect(renameRemote(dvcDir, "c", "b")).rejects.toThrow(
      "config file error: Rename failed. Remote name 'b' already exists.",
    );
    await expect(renameRemote(dvcDir, "zz", "y")).rejects.toThrow(
      "config file error: remote 'zz' doesn't exist.",
    );
  });

  it("lists remotes with local paths resolved and the default marked", async () => {
    await addRemote(dvcDir, "r", "/tmp/x", { cwd: root });
    await addRemote(dvcDir, "l", "store", { level: "local", makeDefault: true, cwd: root });
    expect(await listRemotes(dvcDir)).toEqual([
      { name: "r", url: "/tmp/x", resolvedUrl: "/tmp/x", isDefault: false },
      { name: "l", url: "../store", resolvedUrl: join(root, "store"), isDefault: true },
    ]);
    expect(await readFile(join(dvcDir, "config.local"), "utf8")).toBe(
      "[core]\n    remote = l\n['remote \"l\"']\n    url = ../store\n",
    );
  });

  it("sets and unsets the default, refusing a remote that does not exist", async () => {
    await addRemote(dvcDir, "r", "/x", { cwd: root });
    await expect(setDefaultRemote(dvcDir, "nope")).rejects.toThrow(
      "default remote must be present in remote list.",
    );
    await setDefaultRemote(dvcDir, "r");
    expect(await defaultRemote(dvcDir)).toBe("r");
    await unsetDefaultRemote(dvcDir);
    expect(await defaultRemote(dvcDir)).toBeUndefined();
    expect(await config()).toBe("['remote \"r\"']\n    url = /x\n");
  });

  it("removing the default remote also unsets core.remote", async () => {
    await addRemote(dvcDir, "r", "/x", { makeDefault: true, cwd: root });
    await addRemote(dvcDir, "s", "s3://b/p", { cwd: root });
    await removeRemote(dvcDir, "r");
    expect(await config()).toBe("['remote \"s\"']\n    url = s3://b/p\n");
    await expect(removeRemote(dvcDir, "nope")).rejects.toThrow("remote 'nope' doesn't exist.");
  });

  it("validates options as DVC's schema does", async () => {
    await addRemote(dvcDir, "r", "s3://b/p", { cwd: root });
    await expect(modifyRemote(dvcDir, "r", "bogus", "1")).rejects.toThrow(
      "extra keys not allowed @ data['remote']['r']['bogus']",
    );
    await expect(modifyRemote(dvcDir, "r", "jobs", "abc")).rejects.toThrow("expected int");
    await expect(modifyRemote(dvcDir, "r", "url", undefined, { unset: true })).rejects.toThrow(
      "expected 'url'",
    );
    await expect(modifyRemote(dvcDir, "nope", "jobs", "1")).rejects.toThrow("remote 'nope' doesn't exist.");
    await modifyRemote(dvcDir, "r", "endpointurl", "http://minio:9000");
    await modifyRemote(dvcDir, "r", "secret_access_key", "s3cret", { level: "local" });
    expect(await config()).toBe(
      "['remote \"r\"']\n    url = s3://b/p\n    endpointurl = http://minio:9000\n",
    );
    expect(await readFile(join(dvcDir, "config.local"), "utf8")).toBe(
      "['remote \"r\"']\n    secret_access_key = s3cret\n",
    );
    await modifyRemote(dvcDir, "r", "endpointurl", undefined, { unset: true });
    expect(await config()).toBe("['remote \"r\"']\n    url = s3://b/p\n");
  });
});
