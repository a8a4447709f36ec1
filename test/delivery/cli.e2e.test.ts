/**
 * `flowops deploy` and `flowops rollout` against a real tracking server on loopback (startServer with
 * FLOWOPS_HOME in a temp dir), run in-process through the CLI's own `main`: exit codes, what is printed, and
 * what the server then serves. Also `deploy --target kubernetes --render DIR`, which needs no server.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentStatus } from "../../src/client/deployments.js";
import { startServer, type RunningServer } from "../../src/server/start.js";
import { postV2, writeHarnessModels } from "../support/deliveryHarness.js";
import { flowopsInProcess, type CliResult } from "../support/cliInProcess.js";

const ROLLOUT_YAML = `strategy:
  canary:
    steps:
      - setWeight: 30
      - pause: {}
      - setWeight: 100
`;

/** `setWeight: 130` on line 4. */
const BAD_ROLLOUT_YAML = `strategy:
  canary:
    steps:
      - setWeight: 130
`;

const flowops = flowopsInProcess;

let dir: string;
let server: RunningServer;
let models: Awaited<ReturnType<typeof writeHarnessModels>>;
let rolloutFile: string;
let badRolloutFile: string;
const previousHome = process.env.FLOWOPS_HOME;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-cli-e2e-"));
  models = await writeHarnessModels(join(dir, "models"));
  rolloutFile = join(dir, "rollout.yaml");
  badRolloutFile = join(dir, "bad-rollout.yaml");
  await writeFile(rolloutFile, ROLLOUT_YAML);
  await writeFile(badRolloutFile, BAD_ROLLOUT_YAML);
  process.env.FLOWOPS_HOME = join(dir, "home");
  server = await startServer({ port: 0 }, { logger: false });
});
afterAll(async () => {
  await server.close();
  if (previousHome === undefined) delete process.env.FLOWOPS_HOME;
  else process.env.FLOWOPS_HOME = previousHome;
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
});

/** `flowops <command> ... --tracking-uri <server>`. */
function against(...args: string[]): Promise<CliResult> {
  return flowops(...args, "--tracking-uri", server.url);
}

async function statusJson(endpoint: string): Promise<DeploymentStatus> {
  const result = await against("rollout", "status", endpoint, "--json");
  return JSON.parse(result.stdout) as DeploymentStatus;
}

async function settled(endpoint: string, done: (s: DeploymentStatus) => boolean): Promise<DeploymentStatus> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await statusJson(endpoint);
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("flowops deploy and rollout against a running server", () => {
  it("creates an endpoint, rolls out a candidate, promotes, undoes, aborts and retries", async () => {
    const created = await against("deploy", "churn", "--model", models.stable, "--config", rolloutFile);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created endpoint 'churn' serving ${models.stable}.`);
    expect((await postV2(server.url, "/v2/models/churn/infer", 1)).status).toBe(200);

    const deployed = await against("deploy", "churn", "--model", models.healthy, "--config", rolloutFile);
    expect(deployed.code).toBe(0);
    // --config on an existing endpoint is applied as its rollout spec (the same file here), not ignored.
    expect(deployed.stdout).toContain(
      `Updated the rollout spec of 'churn' (canary, 3 steps); deploying ${models.healthy} under it.`,
    );

    const paused = await settled("churn", (s) => s.phase === "Paused");
    expect(paused.candidate).toBe(models.healthy);
    expect(paused.weights).toEqual([
      { model: models.stable, weight: 70 },
      { model: models.healthy, weight: 30 },
    ]);
    const text = await against("rollout", "status", "churn");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Phase:\s+Paused \(PauseStep\)/);
    expect(text.stdout).toContain(`${models.healthy} 30%`);

    const promoted = await against("rollout", "promote", "churn", "--json");
    expect(promoted.code).toBe(0);
    const afterPromote = JSON.parse(promoted.stdout) as DeploymentStatus;
    expect(afterPromote.phase).toBe("Healthy");
    expect(afterPromote.stable).toBe(models.healthy);

    const nothing = await against("rollout", "promote", "churn");
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/INVALID_STATE: .*no rollout in progress/);

    const undone = await against("rollout", "undo", "churn");
    expect(undone.code).toBe(0);
    const back = await settled("churn", (s) => s.phase === "Healthy" && s.stable === models.stable);
    expect(back.weights).toEqual([{ model: models.stable, weight: 100 }]);

    expect((await against("deploy", "churn", "--model", models.flipped)).code).toBe(0);
    await settled("churn", (s) => s.phase === "Paused" && s.candidate === models.flipped);
    const aborted = await against("rollout", "abort", "churn", "--reason", "bad labels", "--json");
    expect(aborted.code).toBe(0);
    const abortedStatus = JSON.parse(aborted.stdout) as DeploymentStatus;
    expect(abortedStatus.phase).toBe("Degraded");
    expect(abortedStatus.abortedReason).toContain("bad labels");
    expect(abortedStatus.weights).toEqual([{ model: models.stable, weight: 100 }]);
    // `rollout status` of a Degraded rollout exits 1.
    const degraded = await against("rollout", "status", "churn");
    expect(degraded.code).toBe(1);
    expect(degraded.stdout).toContain("Aborted:");

    // --watch returns at once on a settled rollout, with the same exit code.
    expect((await against("rollout", "status", "churn", "--watch", "--json")).code).toBe(1);

    const retried = await against("rollout", "retry", "churn");
    expect(retried.code).toBe(0);
    const again = await settled("churn", (s) => s.phase === "Paused");
    expect(again.weights).toContainEqual({ model: models.flipped, weight: 30 });
    expect((await against("rollout", "promote", "churn", "--full")).code).toBe(0);
    expect((await statusJson("churn")).stable).toBe(models.flipped);

    const events = await against("rollout", "events", "churn", "--json");
    expect(events.code).toBe(0);
    const kinds = (JSON.parse(events.stdout) as { kind: string }[]).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["Deployed", "Promoted", "Aborted", "Retried"]));
  }, 40_000);

  it("switches a blue-green endpoint made with --strategy on promote, and undoes it", async () => {
    expect(
      (await against("deploy", "bluegreen", "--model", models.stable, "--strategy", "blue-green")).code,
    ).toBe(0);
    expect((await against("deploy", "bluegreen", "--model", models.sharper)).code).toBe(0);
    const previewing = await settled("bluegreen", (s) => s.preview === models.sharper);
    expect(previewing.strategy).toBe("blueGreen");
    expect(previewing.weights).toEqual([{ model: models.stable, weight: 100 }]);
    expect((await postV2(server.url, "/endpoints/bluegreen/preview/v2/infer", 1)).status).toBe(200);

    const promoted = await against("rollout", "promote", "bluegreen", "--json");
    expect(promoted.code).toBe(0);
    const switched = JSON.parse(promoted.stdout) as DeploymentStatus;
    expect(switched.stable).toBe(models.sharper);
    expect(switched.preview).toBeUndefined();
    expect((await postV2(server.url, "/endpoints/bluegreen/preview/v2/infer", 1)).status).toBe(404);

    expect((await against("rollout", "undo", "bluegreen")).code).toBe(0);
    const back = await settled("bluegreen", (s) => s.phase === "Healthy" && s.stable === models.stable);
    expect(back.weights).toEqual([{ model: models.stable, weight: 100 }]);
  }, 30_000);

  it("exits 2 naming an unknown endpoint (1 is kept for a Degraded rollout)", async () => {
    const result = await against("rollout", "status", "no-such-endpoint");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RESOURCE_DOES_NOT_EXIST: .*no-such-endpoint/);
    const promote = await against("rollout", "promote", "no-such-endpoint");
    expect(promote.code).toBe(2);
    expect(promote.stderr).toContain("no-such-endpoint");
  });

  it("exits 2 naming the file and line of a bad rollout.yaml, and creates nothing", async () => {
    const result = await against("deploy", "refused", "--model", models.stable, "--config", badRolloutFile);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${badRolloutFile}:4:`);
    expect(result.stderr).toMatch(/weight from 0 to 100/);
    expect((await against("rollout", "status", "refused")).code).toBe(2);
  });

  it("renders Kubernetes manifests into a directory", async () => {
    const out = join(dir, "manifests");
    const result = await flowops(
      "deploy",
      "churn",
      "--model",
      "models:/churn/3",
      "--target",
      "kubernetes",
      "--render",
      out,
      "--config",
      rolloutFile,
    );
    expect(result.code).toBe(0);
    const files = await readdir(out, { recursive: true });
    expect(files.length).toBeGreaterThan(0);
    for (const line of result.stdout.trim().split("\n")) expect(line.startsWith(out)).toBe(true);
    expect(result.stderr).toContain(`kubectl apply -f ${out}`);
  });
});
