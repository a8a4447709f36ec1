import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FlowOpsClient } from "../client/index.js";
import { startTestServer, type TestServer } from "../../test/support/testServer.js";
import { monitorProfileCommand } from "./monitorProfile.js";

let dir: string;
let server: TestServer;
let client: FlowOpsClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-monitor-profile-"));
  server = await startTestServer();
  client = new FlowOpsClient({ trackingUri: server.url, retries: 0 });
  const run = await client.runs.create({ experimentId: await client.experiments.create("profiles") });
  await client.registry.createRegisteredModel("churn");
  await client.registry.createModelVersion("churn", `runs:/${run.info.run_id}/model`, {
    runId: run.info.run_id,
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function profile(args: string[]): Promise<string> {
  let out = "";
  const write = vi.spyOn(process.stdout, "write").mockImplementation((text) => {
    out += String(text);
    return true;
  });
  try {
    await monitorProfileCommand()
      .exitOverride()
      .parseAsync([...args, "--tracking-uri", server.url], { from: "user" });
  } finally {
    write.mockRestore();
  }
  return out;
}

describe("flowops monitor profile", () => {
  it("profiles the chosen columns of a data file and stores them with the model version", async () => {
    const data = join(dir, "train.csv");
    await writeFile(data, "x_0,x_1,segment,label\n1.5,2,3,0\n2.5,4,1,1\n3.5,6,3,0\n");
    const out = await profile([
      "models:/churn/1",
      "--data",
      data,
      "--columns",
      "x_0,segment",
      "--categorical",
      "segment",
    ]);
    expect(out).toContain("Stored the profile of models:/churn/1: 3 rows");
    const { profile: stored } = await client.monitoring.getProfile("churn", 1);
    expect(stored.columns.map((column) => [column.name, column.kind])).toEqual([
      ["x_0", "numerical"],
      ["segment", "categorical"],
    ]);
  });

  it("refuses a model URI that names no version", async () => {
    await expect(profile(["models:/churn@champion", "--data", "unused.csv"])).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("models:/<name>/<version>"),
    });
  });
});
