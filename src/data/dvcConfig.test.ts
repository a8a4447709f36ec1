import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigDocument, readDvcConfig, remoteSectionName, writeDvcConfig } from "./dvcConfig.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-dvcconfig-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ConfigDocument", () => {
  it("writes remote sections the way dvc remote add -d does", () => {
    const doc = ConfigDocument.parse("config", "");
    doc.set("core", "remote", "r");
    doc.set(remoteSectionName("r"), "url", "/tmp/x");
    // Bytes observed from `dvc remote add -d r /tmp/x` (dvc 3.67.1).
    expect(doc.toString()).toBe("[core]\n    remote = r\n['remote \"r\"']\n    url = /tmp/x\n");
  });

  it("keeps comments, unknown sections and key order when a key is added", () => {
    const text = "# top comment\n[core]\n    # inner\n    autostage = true\n[feature]\n    foo = bar\n";
    const doc = ConfigDocument.parse("config", text);
    doc.set("core", "remote", "r");
    expect(doc.toString()).toBe(
      "# top comment\n[core]\n    # inner\n    autostage = true\n    remote = r\n[feature]\n    foo = bar\n",
    );
  });

  it("removes a section once its last key is unset, as dvc remote default --unset does", () => {
    const doc = ConfigDocument.parse("config", "[core]\n    remote = r\n['remote \"r\"']\n    url = /x\n");
    doc.unset("core", "remote");
    expect(doc.toString()).toBe("['remote \"r\"']\n    url = /x\n");
  });

  it("quotes values with commas or # as configobj does", () => {
    const doc = ConfigDocument.parse("config", "");
    doc.set("cache", "type", "reflink,copy");
    doc.set(remoteSectionName("r"), "url", "/tmp/a b#c");
    // Observed: `dvc config cache.type reflink,copy`, `dvc remote add r '/tmp/a b#c'`.
    expect(doc.toString()).toBe(
      '[cache]\n    type = "reflink,copy"\n[\'remote "r"\']\n    url = "/tmp/a b#c"\n',
    );
    expect(ConfigDocument.parse("c", doc.toString()).get("cache", "type")).toBe("reflink,copy");
    expect(ConfigDocument.parse("c", doc.toString()).get(remoteSectionName("r"), "url")).toBe("/tmp/a b#c");
  });

  it("reads unquoted values up to an inline comment", () => {
    const doc = ConfigDocument.parse("config", "[core]\n    remote = r  # the default\n");
    expect(doc.get("core", "remote")).toBe("r");
  });

  it("names the file and line of a malformed line", () => {
    expect(() => ConfigDocument.parse(".dvc/config", "[core]\n    remote r\n")).toThrow(
      /\.dvc\/config:2: .*key = value/,
    );
    expect(() => ConfigDocument.parse(".dvc/config", "remote = r\n")).toThrow(
      /\.dvc\/config:1: .*outside any \[section\]/,
    );
  });
});

describe("readDvcConfig", () => {
  it("merges config.local over config and splits out remotes", async () => {
    await writeFile(
      join(dir, "config"),
      "[core]\n    remote = a\n['remote \"a\"']\n    url = /a\n    jobs = 2\n",
    );
    await writeFile(
      join(dir, "config.local"),
      "[core]\n    remote = b\n['remote \"b\"']\n    url = /b\n['remote \"a\"']\n    jobs = 8\n",
    );
    const config = await readDvcConfig(dir);
    expect(config.core.remote).toBe("b");
    expect(config.remotes).toEqual({ a: { url: "/a", jobs: "8" }, b: { url: "/b" } });
  });

  it("treats missing files as empty", async () => {
    expect(await readDvcConfig(dir)).toEqual({ core: {}, cache: {}, remotes: {}, sections: {} });
  });

  // Regression: a misspelt section or a bad value was ignored on read; dvc 3.67.1 refuses both (exit 251):
  // "configuration error - config file error: extra keys not allowed @ data['bogus']".
  it("refuses what dvc's schema refuses, naming the file that set the bad option", async () => {
    await writeFile(join(dir, "config"), "[bogus]\n    x = 1\n");
    await expect(readDvcConfig(dir)).rejects.toThrow(
      `${join(dir, "config")}: config file error: extra keys not allowed @ data['bogus']`,
    );
    await writeFile(join(dir, "config"), "[core]\n    autostage = maybe\n");
    await writeFile(join(dir, "config.local"), "[core]\n    remote = r\n");
    await expect(readDvcConfig(dir)).rejects.toThrow(
      `${join(dir, "config")}: config file error: expected true or false for dictionary value @ data['core']['autostage']`,
    );
  });
});

describe("writeDvcConfig", () => {
  it("writes the chosen file only and creates no empty config.local for a no-op", async () => {
    await writeFile(join(dir, "config"), "");
    await writeDvcConfig(dir, (d) => d.unset("core", "remote"), { level: "local" });
    await expect(readFile(join(dir, "config.local"), "utf8")).rejects.toThrow(/ENOENT/);
    const config = await writeDvcConfig(dir, (d) => d.set("cache", "type", "hardlink"), { level: "local" });
    expect(await readFile(join(dir, "config.local"), "utf8")).toBe("[cache]\n    type = hardlink\n");
    expect(await readFile(join(dir, "config"), "utf8")).toBe("");
    expect(config.cache.type).toBe("hardlink");
  });
});
