import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";
import type { ArtifactLocator } from "../../artifacts/location.js";
import { FlowOpsClient } from "../../client/index.js";
import { buildProfile, type ReferenceProfile } from "../drift/referenceProfile.js";
import { ProfileStore } from "../online/profileStore.js";
import { profileArtifactPath } from "./profileArtifact.js";
import { VersionProfileCapture } from "./versionProfileCapture.js";

let server: TestServer;
let client: FlowOpsClient;
let experimentId: string;

beforeAll(async () => {
  server = await startTestServer();
  client = new FlowOpsClient({ trackingUri: server.url, retries: 0 });
  experimentId = await client.experiments.create("profile-capture");
});
afterAll(async () => {
  await server.close();
});

const profileOf = (values: number[]): ReferenceProfile =>
  buildProfile([{ name: "x", values: Float64Array.from(values) }]);

async function runWith(
  profiles: Record<string, string>,
  inputs: { name: string; context?: string }[] = [],
): Promise<string> {
  const run = await client.runs.create({ experimentId });
  const runId = run.info.run_id;
  for (const [name, text] of Object.entries(profiles)) {
    await client.artifacts.uploadArtifact(
      { runId },
      Readable.from([Buffer.from(text)]),
      profileArtifactPath(name),
    );
  }
  if (inputs.length > 0) {
    await client.runs.logInputs(runId, {
      datasets: inputs.map((input) => ({
        tags: input.context === undefined ? [] : [{ key: "mlflow.data.context", value: input.context }],
        dataset: { name: input.name, digest: input.name, source_type: "dvc", source: "{}" },
      })),
    });
  }
  return runId;
}

function capture(locator?: ArtifactLocator): { capture: VersionProfileCapture; debug: string[] } {
  const debug: string[] = [];
  return {
    debug,
    capture: new VersionProfileCapture({
      meta: server.ctx.meta,
      config: server.ctx.config,
      now: () => 1000,
      log: { debug: (message) => debug.push(message) },
      ...(locator === undefined ? {} : { locator }),
    }),
  };
}

describe("VersionProfileCapture", () => {
  it("stores the profile of the dataset input logged with context training", async () => {
    const training = profileOf([1, 2, 3]);
    const runId = await runWith(
      { "data/train.csv": JSON.stringify(training), "data/test.csv": JSON.stringify(profileOf([9])) },
      [
        { name: "data/test.csv", context: "evaluation" },
        { name: "data/train.csv", context: "training" },
      ],
    );
    const stored = await capture().capture.capture({ name: "churn", version: "1", run_id: runId });
    expect(stored).toMatchObject({ modelName: "churn", version: "1", createdAt: 1000 });
    expect(await new ProfileStore(server.ctx.meta).get("churn", "1")).toEqual(training);
  });

  it("stores the run's only profile when no input is marked as training", async () => {
    const only = profileOf([4, 5]);
    const runId = await runWith({ features: JSON.stringify(only) }, [{ name: "features" }]);
    await capture().capture.capture({ name: "churn", version: "2", run_id: runId });
    expect(await new ProfileStore(server.ctx.meta).get("churn", "2")).toEqual(only);
  });

  it("skips a run with several profiles and no training input, saying how to pick one", async () => {
    const runId = await runWith({ a: JSON.stringify(profileOf([1])), b: JSON.stringify(profileOf([2])) });
    const { capture: subject, debug } = capture();
    expect(await subject.capture({ name: "churn", version: "3", run_id: runId })).toBeUndefined();
    expect(debug.join("\n")).toMatch(/2 profiles and no dataset input with context 'training'/);
    expect(await new ProfileStore(server.ctx.meta).get("churn", "3")).toBeUndefined();
  });

  it("does not fall back to another profile when the training input has none", async () => {
    const runId = await runWith({ eval: JSON.stringify(profileOf([1])) }, [
      { name: "train", context: "training" },
    ]);
    const { capture: subject, debug } = capture();
    expect(await subject.capture({ name: "churn", version: "4", run_id: runId })).toBeUndefined();
    expect(debug.join("\n")).toMatch(/no profile of its training input \(train\)/);
  });

  it.each([
    ["text that is not JSON", "{not json"],
    ["JSON that is not a profile", JSON.stringify({ formatVersion: 1, rows: 1 })],
  ])("skips %s with a debug log instead of failing", async (_what, text) => {
    const runId = await runWith({ train: text });
    const { capture: subject, debug } = capture();
    expect(await subject.capture({ name: "churn", version: "5", run_id: runId })).toBeUndefined();
    expect(debug).toHaveLength(1);
    expect(debug[0]).toMatch(/model 'churn' version 5/);
  });

  it("does nothing for a version without a run, an unknown run, or a run without profiles", async () => {
    const { capture: subject, debug } = capture();
    expect(await subject.capture({ name: "churn", version: "6" })).toBeUndefined();
    expect(await subject.capture({ name: "churn", version: "6", run_id: "f".repeat(32) })).toBeUndefined();
    const bare = await runWith({});
    expect(await subject.capture({ name: "churn", version: "6", run_id: bare })).toBeUndefined();
    expect(debug).toEqual([]);
  });

  it("never throws when the run's artifact location cannot be opened", async () => {
    const runId = await runWith({ train: JSON.stringify(profileOf([1])) });
    const broken: ArtifactLocator = {
      destination: undefined as never,
      locate: () => {
        throw new Error("storage unreachable");
      },
      open: () => {
        throw new Error("storage unreachable");
      },
    };
    const { capture: subject, debug } = capture(broken);
    expect(await subject.capture({ name: "churn", version: "7", run_id: runId })).toBeUndefined();
    expect(debug[0]).toMatch(/storage unreachable/);
  });
});
