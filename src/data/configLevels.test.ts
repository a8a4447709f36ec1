import { describe, expect, it } from "vitest";
import {
  availableLevels,
  configLevelFile,
  globalConfigDir,
  isPathOption,
  levelsBelow,
  resolveConfigPath,
  systemConfigDir,
} from "./configLevels.js";

describe("dvc config levels", () => {
  it("finds the global and system files where platformdirs puts dvc's", () => {
    // platformdirs' user_config_dir / site_config_dir for appname "dvc", appauthor "iterative".
    expect(globalConfigDir({}, "linux", "/home/u")).toBe("/home/u/.config/dvc");
    expect(globalConfigDir({ XDG_CONFIG_HOME: "/xdg" }, "linux", "/home/u")).toBe("/xdg/dvc");
    expect(globalConfigDir({ XDG_CONFIG_HOME: "  " }, "linux", "/home/u")).toBe("/home/u/.config/dvc");
    expect(globalConfigDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Application Support/dvc");
    expect(systemConfigDir({}, "linux")).toBe("/etc/xdg/dvc");
    expect(systemConfigDir({ XDG_CONFIG_DIRS: "/a:/b" }, "linux")).toBe("/a/dvc");
    expect(systemConfigDir({}, "darwin")).toBe("/Library/Application Support/dvc");
  });

  it("lets DVC_GLOBAL_CONFIG_DIR and DVC_SYSTEM_CONFIG_DIR win, as dvc/dirs.py does", () => {
    const env = { DVC_GLOBAL_CONFIG_DIR: "/g", DVC_SYSTEM_CONFIG_DIR: "/s", XDG_CONFIG_HOME: "/xdg" };
    expect(globalConfigDir(env, "linux", "/home/u")).toBe("/g");
    expect(systemConfigDir(env, "linux")).toBe("/s");
  });

  it("needs a repository for the repo levels and orders the levels as dvc merges them", () => {
    expect(configLevelFile("/p/.dvc", "repo")).toBe("/p/.dvc/config");
    expect(configLevelFile("/p/.dvc", "local")).toBe("/p/.dvc/config.local");
    expect(() => configLevelFile(undefined, "local")).toThrow("config file error: Not inside a DVC repo");
    expect(availableLevels(undefined)).toEqual(["system", "global"]);
    expect(availableLevels("/p/.dvc")).toEqual(["system", "global", "repo", "local"]);
    expect(levelsBelow("/p/.dvc", "local")).toEqual(["system", "global", "repo"]);
    expect(levelsBelow("/p/.dvc", "system")).toEqual([]);
  });

  it("resolves path options against the file that set them, as Config._resolve does", () => {
    expect(resolveConfigPath("../store", "/home/u/.config/dvc", "/home/u")).toBe("/home/u/.config/store");
    expect(resolveConfigPath("~/store", "/p/.dvc", "/home/u")).toBe("/home/u/store");
    expect(resolveConfigPath("/abs", "/p/.dvc", "/home/u")).toBe("/abs");
    expect(resolveConfigPath("s3://b/p", "/p/.dvc", "/home/u")).toBe("s3://b/p");
    expect(resolveConfigPath("remote://base/sub", "/p/.dvc", "/home/u")).toBe("remote://base/sub");
    expect(isPathOption('remote "r"', "url")).toBe(true);
    expect(isPathOption('remote "r"', "credentialpath")).toBe(true);
    expect(isPathOption('remote "r"', "region")).toBe(false);
    expect(isPathOption("cache", "dir")).toBe(true);
    expect(isPathOption("cache", "type")).toBe(false);
    expect(isPathOption("core", "remote")).toBe(false);
  });
});
