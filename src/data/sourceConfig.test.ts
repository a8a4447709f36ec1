import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configFromSections } from "./dvcConfig.js";
import {
  applySourceConfig,
  AUTO_UPSTREAM,
  givenSourceConfig,
  recordedSourceConfig,
  sourceConfigOfDep,
} from "./sourceConfig.js";

describe("what an import records of --config, --remote and --remote-config (dvc's imp)", () => {
  it("keeps a name or a path as given, and options alone as the remote's mapping", () => {
    expect(recordedSourceConfig({ remote: "r" })).toEqual({ remote: "r" });
    expect(recordedSourceConfig({ config: "my.cfg", remote: "r" })).toEqual({
      config: "my.cfg",
      remote: "r",
    });
    expect(recordedSourceConfig({ remoteConfig: { url: "/x" } })).toEqual({ remote: { url: "/x" } });
  });

  it("folds --remote with --remote-config into a config mapping that makes the remote the default", () => {
    expect(recordedSourceConfig({ remote: "r", remoteConfig: { url: "/x", jobs: "2" } })).toEqual({
      config: { core: { remote: "r" }, remote: { r: { url: "/x", jobs: "2" } } },
    });
  });

  it("refuses a config path beside both, as dvc does", () => {
    expect(() => recordedSourceConfig({ config: "c", remote: "r", remoteConfig: { url: "/x" } })).toThrow(
      "Can't specify config path together with both remote and remote_config",
    );
  });

  it("reads each recorded form back, and names a malformed field", () => {
    expect(sourceConfigOfDep({ remote: { url: "/x", jobs: 4 } }, "a.dvc: deps[0].repo")).toEqual({
      remoteConfig: { url: "/x", jobs: "4" },
    });
    expect(sourceConfigOfDep({ config: "c.cfg", remote: "r" }, "w")).toEqual({
      config: "c.cfg",
      remote: "r",
    });
    expect(() => sourceConfigOfDep({ remote: ["a"] }, "a.dvc: deps[0].repo")).toThrow(
      "a.dvc: deps[0].repo.remote must be a remote name or a mapping of its options",
    );
    expect(() => sourceConfigOfDep({ remote: { url: { nested: 1 } } }, "a.dvc: deps[0].repo")).toThrow(
      "a.dvc: deps[0].repo.remote.url must be a single value",
    );
    expect(givenSourceConfig({})).toBeUndefined();
  });
});

describe("applySourceConfig (dvc's Config.load with config, remote and remote_config)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-source-config-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const own = configFromSections({
    core: { remote: "origin" },
    'remote "origin"': { url: "/data/origin" },
    'remote "alt"': { url: "/data/alt" },
  });

  it("merges a config file over the source's levels, key by key, relative paths from the working directory", async () => {
    await writeFile(join(dir, "c.cfg"), `[core]\n    remote = extra\n['remote "extra"']\n    url = store\n`);
    const config = await applySourceConfig(own, { config: "c.cfg" }, dir);
    expect(config.core.remote).toBe("extra");
    expect(config.remotes.extra).toEqual({ url: join(dir, "store") });
    expect(config.remotes.origin).toEqual({ url: "/data/origin" });
  });

  it("makes --remote the default and merges --remote-config into it, or into the default", async () => {
    const named = await applySourceConfig(own, { remote: "alt", remoteConfig: { url: "/moved" } }, dir);
    expect(named.core.remote).toBe("alt");
    expect(named.remotes.alt).toEqual({ url: "/moved" });
    expect(named.remotes.origin).toEqual({ url: "/data/origin" });
    const fresh = await applySourceConfig(own, { remote: "new", remoteConfig: { url: "/new" } }, dir);
    expect(fresh.remotes.new).toEqual({ url: "/new" });
    const byDefault = await applySourceConfig(own, { remoteConfig: { url: "/o2" } }, dir);
    expect(byDefault.remotes.origin).toEqual({ url: "/o2" });
  });

  it("gives a local source without a default dvc's auto-generated-upstream; anything else has no remote to merge into", async () => {
    const bare = configFromSections({});
    const local = await applySourceConfig(bare, { remoteConfig: { url: "/x" } }, dir, "/src/.dvc/cache");
    expect(local.core.remote).toBe(AUTO_UPSTREAM);
    expect(local.remotes[AUTO_UPSTREAM]).toEqual({ url: "/x" });
    await expect(applySourceConfig(bare, { remoteConfig: { url: "/x" } }, dir)).rejects.toThrow(
      "Missing remote name",
    );
  });

  it("refuses an option dvc's schema does not know, and a config file it cannot parse, by line", async () => {
    await expect(applySourceConfig(own, { remoteConfig: { ssl_verify: "false" } }, dir)).rejects.toThrow(
      "config file error: extra keys not allowed @ data['remote']['origin']['ssl_verify']",
    );
    await writeFile(join(dir, "bad.cfg"), "[core]\nremote\n");
    await expect(applySourceConfig(own, { config: join(dir, "bad.cfg") }, dir)).rejects.toThrow(
      `${join(dir, "bad.cfg")}:2: config file error: expected 'key = value', got 'remote'`,
    );
    await expect(applySourceConfig(own, { config: "missing.cfg" }, dir)).rejects.toThrow(
      `config file '${join(dir, "missing.cfg")}' cannot be read`,
    );
  });

  it("takes a recorded mapping as dvc's nested dict", async () => {
    const config = await applySourceConfig(
      own,
      { config: { core: { remote: "m" }, remote: { m: { url: "/m" } } } },
      dir,
    );
    expect(config.core.remote).toBe("m");
    expect(config.remotes.m).toEqual({ url: "/m" });
    await expect(applySourceConfig(own, { config: { remote: { m: "x" } } }, dir)).rejects.toThrow(
      "config.remote.m must be a mapping",
    );
  });
});
