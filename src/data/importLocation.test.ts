import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readDvcConfig } from "./dvcConfig.js";
import { locateImportSource, unreadableSource } from "./importLocation.js";

let dir: string;
const dvcDir = (): string => join(dir, ".dvc");

async function repoWithConfig(text: string) {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(dvcDir(), { recursive: true });
  await writeFile(join(dvcDir(), "config"), text);
  return { dvcDir: dvcDir(), config: await readDvcConfig(dvcDir()) };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-import-location-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("locateImportSource", () => {
  it("reads a local remote's path from its url, relative to .dvc/, and keeps local paths local", async () => {
    const repo = await repoWithConfig("['remote \"shelf\"']\n    url = ../../shelf\n");
    expect(locateImportSource(repo, "remote://shelf/raw/a.csv", dir, undefined, dir)).toEqual({
      kind: "local",
      abs: join(dir, "..", "shelf", "raw", "a.csv"),
    });
    expect(locateImportSource(repo, "../data/x", join(dir, "sub"), undefined, dir)).toEqual({
      kind: "local",
      abs: join(dir, "data", "x"),
    });
  });

  it("reads an s3 remote's path with the remote's options, recording the remote:// path and only --fs-config", async () => {
    const repo = await repoWithConfig(
      "['remote \"bucket\"']\n    url = s3://src/base\n    endpointurl = http://127.0.0.1:9\n    region = eu-west-1\n",
    );
    expect(locateImportSource(repo, "remote://bucket/dir", dir, { region: "us-east-1" }, dir)).toEqual({
      kind: "url",
      url: "s3://src/base/dir",
      options: {
        fsConfig: { endpointurl: "http://127.0.0.1:9", region: "us-east-1" },
        configDir: dvcDir(),
        recordedPath: "remote://bucket/dir",
        recordedFsConfig: { region: "us-east-1" },
      },
    });
  });

  it("marks a path into a gs:// remote as unreadable, and the import fails naming what flowops reads", async () => {
    const repo = await repoWithConfig("['remote \"gcs\"']\n    url = gs://bucket/base\n");
    const location = locateImportSource(repo, "remote://gcs/x", dir, undefined, dir);
    expect(location).toEqual({ kind: "unreadable", url: "gs://bucket/base/x" });
    expect(unreadableSource("remote://gcs/x", "gs://bucket/base/x").message).toBe(
      "'remote://gcs/x' is gs://bucket/base/x: flowops imports from local paths, http(s) and s3 only yet; " +
        "download it and use `flowops data add`",
    );
  });

  it("reads s3 and http URLs with the dep's fs_config, and names an unknown remote", async () => {
    const repo = await repoWithConfig("");
    expect(locateImportSource(repo, "s3://b/k", dir, { endpointurl: "http://e" }, dir)).toEqual({
      kind: "url",
      url: "s3://b/k",
      options: { fsConfig: { endpointurl: "http://e" }, configDir: dir },
    });
    // dvc import-url words it without a full stop.
    expect(() => locateImportSource(repo, "remote://nowhere/x", dir, undefined, dir)).toThrow(
      /^config file error: remote 'nowhere' doesn't exist$/,
    );
  });
});
