import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { FlowOpsClient } from "../client/index.js";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import {
  currentUser,
  describeDatasetVersion,
  logDatasetVersion,
  readGitHead,
  type DatasetFactsEnvironment,
} from "./dataLog.js";

const FAKE_ENV: DatasetFactsEnvironment = {
  gitHead: async () => "0123456789abcdef0123456789abcdef01234567",
  user: () => "ann",
};

describe("flowops data log", () => {
  let server: TestServer;
  let client: FlowOpsClient;
  let dir: string;
  let repo: DataRepo;

  beforeAll(async () => {
    server = await startTestServer();
    client = new FlowOpsClient({ trackingUri: server.url, retries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-data-log-"));
    repo = await initDataRepo(dir, { noScm: true });
    await mkdir(join(dir, "data", "nested"), { recursive: true });
    await writeFile(join(dir, "data", "foo"), "foo");
    await writeFile(join(dir, "data", "bar"), "bar");
    await writeFile(join(dir, "data", "nested", "file"), "file");
    await writeFile(join(dir, "labels.csv"), "1");
  });
  afterEach(async () => {
    closeDataRepo(repo);
    await rm(dir, { recursive: true, force: true });
  });

  it("describes a directory with DVC's .dir md5, its size and file count, relative to the repo root", async () => {
    const facts = await describeDatasetVersion(repo, "data", { cwd: dir }, FAKE_ENV);
    expect(facts).toEqual({
      name: "data",
      path: "data",
      md5: "5fc28ea78987408341668eba6525ebd1.dir",
      size: 10,
      nfiles: 3,
      created_by: "ann",
    });
  });

  it("describes a file from a subdirectory, with the default remote and the git commit in a git repo", async () => {
    const withRemote = {
      ...repo,
      scm: true,
      config: { ...repo.config, core: { ...repo.config.core, remote: "storage" } },
    };
    const facts = await describeDatasetVersion(
      withRemote,
      "../labels.csv",
      { cwd: join(dir, "data"), name: "labels" },
      FAKE_ENV,
    );
    expect(facts).toEqual({
      name: "labels",
      path: "labels.csv",
      md5: "c4ca4238a0b923820dcc509a6f75849b",
      size: 1,
      remote: "storage",
      git_commit: "0123456789abcdef0123456789abcdef01234567",
      created_by: "ann",
    });
  });

  it("refuses a path outside the repository, and names a missing one", async () => {
    await expect(describeDatasetVersion(repo, "..", { cwd: dir }, FAKE_ENV)).rejects.toThrow(
      /not inside the DVC repository/,
    );
    await expect(describeDatasetVersion(repo, "missing.csv", { cwd: dir }, FAKE_ENV)).rejects.toThrow(
      /missing\.csv/,
    );
  });

  it("records the version once and links it to the run as a dvc dataset input", async () => {
    const experimentId = await client.experiments.create("data-log");
    const run = await client.runs.create({ experimentId });
    const facts = await describeDatasetVersion(repo, "data", { cwd: dir }, FAKE_ENV);
    const first = await logDatasetVersion(client, facts, run.info.run_id, { context: "training" });
    const again = await logDatasetVersion(client, facts, run.info.run_id);
    expect(first.created).toBe(true);
    expect(again).toEqual({ datasetVersion: first.datasetVersion, created: false });
    const inputs = (await client.runs.get(run.info.run_id)).inputs.dataset_inputs;
    expect(inputs.map((i) => [i.dataset.name, i.dataset.digest, i.dataset.source_type])).toEqual([
      ["data", "5fc28ea78987408341668eba6525ebd1.dir", "dvc"],
    ]);
  });

  it("reads HEAD of a git repository and nothing outside one", async () => {
    expect(await readGitHead(dir)).toBeUndefined();
    execFileSync("git", ["init", "-q"], { cwd: dir });
    expect(await readGitHead(dir)).toBeUndefined();
    execFileSync(
      "git",
      ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "first"],
      { cwd: dir },
    );
    expect(await readGitHead(dir)).toMatch(/^[0-9a-f]{40}$/);
  });

  it("takes the user from USER, then LOGNAME", () => {
    expect(currentUser({ USER: "ann", LOGNAME: "bob" })).toBe("ann");
    expect(currentUser({ LOGNAME: "bob" })).toBe("bob");
    expect(typeof currentUser({})).toBe("string");
  });
});
