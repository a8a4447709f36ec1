import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  cacheDirSetting,
  getConfigOption,
  levelOrigin,
  listConfigOptions,
  parseConfigName,
  setConfigOption,
  unsetConfigOption,
} from "./configOptions.js";
import { addRemote } from "./remoteConfig.js";

let root: string;
let dvcDir: string;
const saved = process.env.DVC_GLOBAL_CONFIG_DIR;
const config = (): Promise<string> => readFile(join(dvcDir, "config"), "utf8");

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "flowops-config-options-"));
  dvcDir = join(root, ".dvc");
  await mkdir(dvcDir);
  await writeFile(join(dvcDir, "config"), "");
  process.env.DVC_GLOBAL_CONFIG_DIR = join(root, "global");
});
afterEach(async () => {
  process.env.DVC_GLOBAL_CONFIG_DIR = saved;
  await rm(root, { recursive: true, force: true });
});

describe("dvc config options", () => {
  it("parses names as dvc does, lower-casing section and option", () => {
    expect(parseConfigName("Core.Remote")).toEqual({ top: undefined, section: "core", option: "remote" });
    expect(parseConfigName("remote.MyStore.URL")).toEqual({
      top: "remote",
      section: "mystore",
      option: "url",
    });
    expect(() => parseConfigName("core")).toThrow("name argument should look like");
    expect(() => parseConfigName("a.b.c")).toThrow("name argument should look like");
  });

  it("writes sections in dvc's order: plain sections before remotes", async () => {
    await addRemote(dvcDir, "r", "../store", { makeDefault: true, cwd: root });
    await setConfigOption(dvcDir, parseConfigName("cache.type"), "hardlink,symlink");
    await setConfigOption(dvcDir, parseConfigName("remote.r.url"), "sub/dir", { cwd: root });
    // Observed: the same commands with dvc 3.67.1 (url relative to .dvc/, the list quoted).
    expect(await config()).toBe(
      '[core]\n    remote = r\n[cache]\n    type = "hardlink,symlink"\n[\'remote "r"\']\n    url = ../sub/dir\n',
    );
  });

  it("gets from the nearest level, or from one level where a missing option is an error", async () => {
    await setConfigOption(dvcDir, parseConfigName("core.autostage"), "true");
    await setConfigOption(dvcDir, parseConfigName("core.autostage"), "false", { level: "local" });
    await setConfigOption(dvcDir, parseConfigName("core.check_update"), "false", { level: "global" });
    const name = parseConfigName("core.autostage");
    expect(await getConfigOption(dvcDir, name)).toEqual({ value: "false", level: "local" });
    expect(await getConfigOption(dvcDir, name, "repo")).toEqual({ value: "true", level: "repo" });
    expect(await getConfigOption(dvcDir, parseConfigName("core.remote"))).toBeUndefined();
    await expect(getConfigOption(dvcDir, name, "global")).rejects.toThrow(
      "config file error: option 'autostage' doesn't exist in section 'core'",
    );
    await expect(getConfigOption(dvcDir, parseConfigName("foo.bar"), "repo")).rejects.toThrow(
      "config file error: section 'foo' doesn't exist",
    );
    await expect(getConfigOption(dvcDir, parseConfigName("remote.zz.url"), "repo")).rejects.toThrow(
      "config file error: remote 'zz' doesn't exist",
    );
    expect(levelOrigin(dvcDir, "local")).toBe(join(".dvc", "config.local"));
    expect(levelOrigin(dvcDir, "global")).toBe(join(root, "global", "config"));
  });

  it("lists level by level, remotes first within a level, paths resolved", async () => {
    await setConfigOption(dvcDir, parseConfigName("core.check_update"), "false", { level: "global" });
    await setConfigOption(dvcDir, parseConfigName("core.autostage"), "true");
    await addRemote(dvcDir, "r", "../store", { cwd: root });
    const lines = (await listConfigOptions(dvcDir)).map((e) => `${e.level} ${e.name}=${e.value}`);
    expect(lines).toEqual([
      "global core.check_update=false",
      `repo remote.r.url=${join(root, "..", "store")}`,
      "repo core.autostage=true",
    ]);
    expect(await listConfigOptions(dvcDir, "local")).toEqual([]);
  });

  it("unsets only what the level sets, and checks every edit against the schema", async () => {
    await expect(unsetConfigOption(dvcDir, parseConfigName("core.autostage"))).rejects.toThrow(
      "option 'autostage' doesn't exist in section 'core'",
    );
    await setConfigOption(dvcDir, parseConfigName("core.autostage"), "true");
    await unsetConfigOption(dvcDir, parseConfigName("core.autostage"));
    expect(await config()).toBe("\n");
    await expect(setConfigOption(dvcDir, parseConfigName("core.autostage"), "maybe")).rejects.toThrow(
      "expected true or false",
    );
    expect(await config()).toBe("\n");
  });

  it("shows the cache directory as dvc cache dir does: the default, a level's setting, or an error", async () => {
    expect(await cacheDirSetting(dvcDir)).toBe(join(dvcDir, "cache"));
    await setConfigOption(dvcDir, parseConfigName("cache.dir"), "../c1", { cwd: dvcDir });
    // Stored relative to .dvc/, shown resolved, as dvc shows it.
    expect(await readFile(join(dvcDir, "config"), "utf8")).toBe("[cache]\n    dir = ../c1\n");
    expect(await cacheDirSetting(dvcDir)).toBe(join(root, "c1"));
    expect(await cacheDirSetting(dvcDir, "repo")).toBe(join(root, "c1"));
    await expect(cacheDirSetting(dvcDir, "local")).rejects.toThrow(
      "option 'dir' doesn't exist in section 'cache'",
    );
  });
});
