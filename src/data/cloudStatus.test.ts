import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { initDataRepoIn, tempDataRepo } from "../../test/support/tempDataRepo.js";
import { addTargets } from "./addTargets.js";
import { cloudStatus, formatCloudStatus } from "./cloudStatus.js";
import { closeDataRepo, type DataRepo } from "./dataRepo.js";
import { push } from "./pushPull.js";

let root: string;
let repo: DataRepo;
const STORE_REMOTE_CONFIG = `[core]\n    no_scm = True\n    remote = store\n['remote "store"']\n    url = ../../remote\n`;

beforeEach(async () => {
  const project = await tempDataRepo({
    prefix: "flowops-cloudstatus-",
    at: "ws",
    scm: "none",
    config: STORE_REMOTE_CONFIG + `['remote "other"']\n    url = ../../other\n`,
  });
  root = project.base;
  repo = project.repo;
  const dir = project.dir;
  mkdirSync(join(dir, "data", "sub"), { recursive: true });
  writeFileSync(join(dir, "data", "a.txt"), "a\n");
  writeFileSync(join(dir, "data", "sub", "b.txt"), "b\n");
  writeFileSync(join(dir, "c.txt"), "c\n");
  writeFileSync(join(dir, "local.txt"), "never pushed\n");
  await addTargets(repo, ["data", "c.txt", "local.txt"], { cwd: dir });
  // An out that says push: false is never compared, as in DVC.
  writeFileSync(
    join(dir, "local.txt.dvc"),
    "outs:\n- md5: 1f1f9d0f0a7f2e6c1c9ad1d2cd8d6b37\n  size: 13\n  hash: md5\n  path: local.txt\n  push: false\n",
  );
});

describe("cloudStatus", () => {
  it("calls everything new before a push, and nothing after it", async () => {
    const before = await cloudStatus(repo, [], { cwd: repo.root });
    expect(before).toEqual({
      remote: "store",
      entries: { "c.txt": "new", data: "new", "data/a.txt": "new", "data/sub/b.txt": "new" },
      tracksAnything: true,
      unknownDirs: [],
    });
    await push(repo);
    const after = await cloudStatus(repo, [], { cwd: repo.root });
    expect(after.entries).toEqual({});
    expect(formatCloudStatus(after, { indent: true })).toBe("Cache and remote 'store' are in sync.\n");
  });

  it("says a project that tracks nothing is empty, as dvc does, rather than in sync", async () => {
    const empty = join(root, "empty");
    const emptyRepo = await initDataRepoIn(empty, { scm: "none", config: STORE_REMOTE_CONFIG });
    try {
      const status = await cloudStatus(emptyRepo, [], { cwd: empty });
      expect(status).toEqual({ remote: "store", entries: {}, tracksAnything: false, unknownDirs: [] });
      expect(formatCloudStatus(status, { indent: true })).toMatch(
        /^There are no data or pipelines tracked in this project yet\.\n/,
      );
      // A stage alone makes the project non-empty, even with no cached out.
      writeFileSync(join(empty, "dvc.yaml"), "stages:\n  hello:\n    cmd: echo hi\n");
      expect((await cloudStatus(emptyRepo, [], { cwd: empty })).tracksAnything).toBe(true);
    } finally {
      closeDataRepo(emptyRepo);
    }
  });

  it("needs no remote when nothing is compared, and refuses none only when something is", async () => {
    const bare = join(root, "bare");
    const bareRepo = await initDataRepoIn(bare, { scm: "none" });
    try {
      // Observed: dvc status -c exits 0 with its empty-project message when no remote is configured.
      const status = await cloudStatus(bareRepo, [], { cwd: bare });
      expect(status).toEqual({ remote: "None", entries: {}, tracksAnything: false, unknownDirs: [] });
      writeFileSync(join(bare, "x.txt"), "x\n");
      await addTargets(bareRepo, ["x.txt"], { cwd: bare });
      await expect(cloudStatus(bareRepo, [], { cwd: bare })).rejects.toThrow(/no remote specified/);
    } finally {
      closeDataRepo(bareRepo);
    }
  });

  it("lists deleted and missing objects, deleted first, once the cache loses them", async () => {
    await push(repo, [join(repo.root, "data")]);
    rmSync(join(repo.root, ".dvc", "cache"), { recursive: true, force: true });
    const status = await cloudStatus(repo, [], { cwd: repo.root });
    // The directory's manifest came back from the remote so that its files could be listed.
    expect(status.entries).toEqual({
      "data/a.txt": "deleted",
      "data/sub/b.txt": "deleted",
      "c.txt": "missing",
    });
    expect(Object.values(status.entries)).toEqual(["deleted", "deleted", "missing"]);
    expect(formatCloudStatus(status, { indent: false })).toBe(
      "deleted:            data/a.txt\ndeleted:            data/sub/b.txt\nmissing:            c.txt\n",
    );
  });

  // dvc-data's status takes every file a remote manifest lists as held by the remote (`_indexed_dir_hashes`).
  it("calls a directory's lost file deleted while the remote holds its manifest, missing once it does not", async () => {
    await push(repo, [join(repo.root, "data")]);
    const objectOf = (store: string, oid: string): string =>
      join(store, "files", "md5", oid.slice(0, 2), oid.slice(2));
    const lost = "60b725f10c9c85c70d97880dfe8191b3"; // md5 of "a\n": data/a.txt
    const cacheDir = join(repo.root, ".dvc", "cache");
    rmSync(objectOf(cacheDir, lost));
    rmSync(objectOf(join(root, "remote"), lost));
    const held = await cloudStatus(repo, [join(repo.root, "data")], { cwd: repo.root });
    expect(held.entries).toEqual({ "data/a.txt": "deleted" });
    const manifest = readFileSync(join(repo.root, "data.dvc"), "utf8").match(/md5: (\w+\.dir)/)![1]!;
    rmSync(objectOf(join(root, "remote"), manifest));
    const unheld = await cloudStatus(repo, [join(repo.root, "data")], { cwd: repo.root });
    expect(unheld.entries).toEqual({ data: "new", "data/a.txt": "missing" });
  });

  it("names outs from the cwd and keeps a directory's manifest for a path inside it", async () => {
    const fromData = await cloudStatus(repo, [], { cwd: join(repo.root, "data") });
    expect(fromData.entries).toEqual({
      "../c.txt": "new",
      ".": "new",
      "./a.txt": "new",
      "./sub/b.txt": "new",
    });
    const inside = await cloudStatus(repo, [join(repo.root, "data", "sub")], { cwd: repo.root });
    expect(inside.entries).toEqual({ data: "new", "data/sub/b.txt": "new" });
  });

  it("compares with the remote named, and refuses an unknown one", async () => {
    await push(repo);
    const other = await cloudStatus(repo, [join(repo.root, "c.txt")], { remote: "other", cwd: repo.root });
    expect(other).toEqual({
      remote: "other",
      entries: { "c.txt": "new" },
      tracksAnything: true,
      unknownDirs: [],
    });
    await expect(cloudStatus(repo, [], { remote: "nowhere" })).rejects.toThrow(
      /remote 'nowhere' doesn't exist/,
    );
  });

  // dvc 3.67.1 `status -c train c.txt` with `train` never run: it warns about train's out and compares c.txt.
  it("takes a target naming a stage with no hashed outs, collecting nothing for it and reporting its outs", async () => {
    writeFileSync(
      join(repo.root, "dvc.yaml"),
      "stages:\n  train:\n    cmd: echo\n    outs:\n    - model.bin\n",
    );
    const reported: string[] = [];
    const status = await cloudStatus(repo, ["train", join(repo.root, "c.txt")], {
      cwd: repo.root,
      onUnversioned: (outs) => void reported.push(...outs.map((out) => `${out.stage}:${out.path}`)),
    });
    expect(status.entries).toEqual({ "c.txt": "new" });
    expect(reported).toEqual(["train:model.bin"]);
    const alone = await cloudStatus(repo, ["train"], { cwd: repo.root });
    expect(alone.entries).toEqual({});
  });
});
