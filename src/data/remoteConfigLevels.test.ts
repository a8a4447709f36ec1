import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDataRemote } from "./dataRemote.js";
import { readDvcConfig, writeDvcConfig } from "./dvcConfig.js";
import {
  addRemote,
  defaultRemote,
  listRemotes,
  modifyRemote,
  removeRemote,
  renameRemote,
  setDefaultRemote,
} from "./remoteConfig.js";

let root: string;
let dvcDir: string;
let globalDir: string;
let systemDir: string;
const saved = { global: process.env.DVC_GLOBAL_CONFIG_DIR, system: process.env.DVC_SYSTEM_CONFIG_DIR };
const read = (path: string): Promise<string> => readFile(path, "utf8").catch(() => "");

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "flowops-remote-levels-"));
  dvcDir = join(root, "repo", ".dvc");
  await mkdir(dvcDir, { recursive: true });
  await writeFile(join(dvcDir, "config"), "");
  globalDir = join(root, "home", ".config", "dvc");
  systemDir = join(root, "etc", "dvc");
  process.env.DVC_GLOBAL_CONFIG_DIR = globalDir;
  process.env.DVC_SYSTEM_CONFIG_DIR = systemDir;
});
afterEach(async () => {
  process.env.DVC_GLOBAL_CONFIG_DIR = saved.global;
  process.env.DVC_SYSTEM_CONFIG_DIR = saved.system;
  await rm(root, { recursive: true, force: true });
});

describe("remote config levels", () => {
  it("stores a global relative url relative to the global config dir and resolves it from there", async () => {
    // Observed: `dvc remote add --global -d g ../store` from /tmp/dvcx wrote url = ../store into
    // $DVC_GLOBAL_CONFIG_DIR/config and `dvc remote list` showed /tmp/store.
    await addRemote(undefined, "g", "../../../store", { level: "global", makeDefault: true, cwd: globalDir });
    expect(await read(join(globalDir, "config"))).toBe(
      "[core]\n    remote = g\n['remote \"g\"']\n    url = ../../../store\n",
    );
    const listing = await listRemotes(dvcDir);
    expect(listing).toEqual([
      { name: "g", url: "../../../store", resolvedUrl: join(root, "store"), isDefault: true },
    ]);
    expect(await listRemotes(dvcDir, { level: "repo" })).toEqual([]);
    const remote = openDataRemote({ dvcDir, config: await readDvcConfig(dvcDir) });
    expect(remote).toMatchObject({ name: "g", url: join(root, "store") });
  });

  it("merges system < global < repo < local, a later level winning key by key", async () => {
    await addRemote(dvcDir, "s", "s3://sys/p", { level: "system", makeDefault: true });
    await addRemote(dvcDir, "r", "/repo-store", { makeDefault: true });
    await modifyRemote(dvcDir, "s", "region", "eu-west-1", { level: "global" });
    expect(await read(join(globalDir, "config"))).toBe("['remote \"s\"']\n    region = eu-west-1\n");
    const config = await readDvcConfig(dvcDir);
    expect(config.core.remote).toBe("r");
    expect(config.remotes.s).toEqual({ url: "s3://sys/p", region: "eu-west-1" });
    expect(await defaultRemote(dvcDir)).toBe("r");
    expect(await defaultRemote(dvcDir, { level: "system" })).toBe("s");
    expect(await defaultRemote(dvcDir, { level: "global" })).toBeUndefined();
  });

  it("modifies a remote of a lower level at a higher one (secrets in --local), never the reverse", async () => {
    await addRemote(dvcDir, "r", "s3://b/p");
    await modifyRemote(dvcDir, "r", "secret_access_key", "k", { level: "local" });
    expect(await read(join(dvcDir, "config.local"))).toBe("['remote \"r\"']\n    secret_access_key = k\n");
    await expect(modifyRemote(dvcDir, "r", "region", "x", { level: "global" })).rejects.toThrow(
      "config file error: remote 'r' doesn't exist.",
    );
    await expect(setDefaultRemote(dvcDir, "r", { level: "global" })).rejects.toThrow(
      "default remote must be present in remote list.",
    );
    await setDefaultRemote(dvcDir, "r", { level: "local" });
    expect(await defaultRemote(dvcDir, { level: "local" })).toBe("r");
  });

  it("unsets core.remote in the removed remote's level and the levels above it only", async () => {
    await addRemote(dvcDir, "g", "/g", { level: "global", makeDefault: true });
    await setDefaultRemote(dvcDir, "g");
    await setDefaultRemote(dvcDir, "g", { level: "local" });
    await mkdir(systemDir, { recursive: true });
    await writeFile(join(systemDir, "config"), "[core]\n    remote = g\n");
    await expect(removeRemote(dvcDir, "g")).rejects.toThrow("remote 'g' doesn't exist.");
    await removeRemote(dvcDir, "g", { level: "global" });
    // configobj writes an emptied file as one blank line.
    expect(await read(join(globalDir, "config"))).toBe("\n");
    expect(await read(join(dvcDir, "config"))).toBe("\n");
    expect(await read(join(dvcDir, "config.local"))).toBe("\n");
    // dvc walks reversed(LEVELS) down to the remote's level: the system level is below it and keeps its line.
    expect(await read(join(systemDir, "config"))).toBe("[core]\n    remote = g\n");
  });

  it("removing a --local remote leaves the project config's default alone", async () => {
    await addRemote(dvcDir, "l", "/l", { level: "local" });
    // As in dvc, the project level cannot name a remote only a higher level defines; a hand edit can.
    await expect(setDefaultRemote(dvcDir, "l")).rejects.toThrow("default remote must be present");
    await writeFile(join(dvcDir, "config"), "[core]\n    remote = l\n");
    await removeRemote(dvcDir, "l", { level: "local" });
    expect(await read(join(dvcDir, "config"))).toBe("[core]\n    remote = l\n");
  });

  it("renames a global remote and the defaults above it that name it", async () => {
    await addRemote(dvcDir, "g", "/g", { level: "global", makeDefault: true });
    await setDefaultRemote(dvcDir, "g");
    await renameRemote(dvcDir, "g", "h", { level: "global" });
    expect(await read(join(globalDir, "config"))).toBe(
      "[core]\n    remote = h\n['remote \"h\"']\n    url = /g\n",
    );
    expect(await read(join(dvcDir, "config"))).toBe("[core]\n    remote = h\n");
  });

  it("refuses an edit that leaves a remote without a url once merged onto the levels below", async () => {
    await addRemote(dvcDir, "r", "/r");
    await modifyRemote(dvcDir, "r", "jobs", "2", { level: "local" });
    // Observed with dvc 3.67.1: the project file loses the remote, then the walk over config.local (where the
    // default is unset) finds its jobs without a url and fails, exit 251; so does any later edit there.
    const noUrl = "config file error: expected 'url' for dictionary value @ data['remote']['r']";
    await expect(removeRemote(dvcDir, "r")).rejects.toThrow(noUrl);
    expect(await read(join(dvcDir, "config"))).toBe("\n");
    await expect(modifyRemote(dvcDir, "r", "jobs", "3", { level: "local" })).rejects.toThrow(noUrl);
    await rm(join(dvcDir, "config.local"));
    const before = await read(join(dvcDir, "config.local"));
    await expect(
      writeDvcConfig(dvcDir, (d) => d.set('remote "t"', "jobs", "1"), { level: "local" }),
    ).rejects.toThrow("expected 'url' for dictionary value @ data['remote']['t']");
    expect(await read(join(dvcDir, "config.local"))).toBe(before);
  });

  it("works outside a repository for the user levels and refuses the repo ones", async () => {
    await addRemote(undefined, "g", "s3://b/p", { level: "global" });
    expect((await listRemotes(undefined)).map((r) => r.name)).toEqual(["g"]);
    await expect(addRemote(undefined, "r", "/r", {})).rejects.toThrow("Not inside a DVC repo");
    await expect(listRemotes(undefined, { level: "local" })).rejects.toThrow("Not inside a DVC repo");
  });
});
