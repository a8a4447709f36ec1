import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "./main.js";
import { flowopsInProcess } from "../../test/support/cliInProcess.js";

const flowops = flowopsInProcess;

const DEGRADED = {
  name: "degraded",
  phase: "Degraded",
  strategy: "canary",
  stable: "models:/churn/3",
  candidate: "models:/churn/4",
  weights: [{ model: "models:/churn/3", weight: 100 }],
  stepIndex: 0,
  steps: 2,
  abortedReason: "error-rate failed",
  analyses: [],
  createdAt: 1,
  updatedAt: 2,
};

const FIRING = {
  endpoint: "churn",
  traffic: [],
  drift: null,
  slos: [
    {
      id: "availability",
      kind: "availability",
      sli: 0.9,
      budgetRemaining: 0,
      burnRates: { "5m": 20 },
      value: null,
      alerts: [{ name: "fast-burn", severity: "page", since: 0, firing: true }],
    },
  ],
};

/** A tracking server that knows one Degraded deployment and one firing alert, and answers garbage below /garbage. */
function fakeServer(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    };
    if (url.pathname.startsWith("/garbage/")) {
      res.writeHead(200, { "Content-Type": "application/json" }).end("<html>not json</html>");
    } else if (url.pathname === "/api/v1/deployments/degraded") {
      json(200, { deployment: DEGRADED });
    } else if (url.pathname === "/api/v1/monitoring/status" && url.searchParams.get("endpoint") === "churn") {
      json(200, { endpoints: [FIRING] });
    } else {
      json(404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Nothing at ${url.pathname}.` });
    }
  });
}

describe("flowops exit codes", () => {
  let server: Server;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    server = fakeServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), "flowops-main-"));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("exits 1 for a Degraded rollout and 2 when rollout status cannot tell (an unknown endpoint)", async () => {
    const degraded = await flowops("rollout", "status", "degraded", "--tracking-uri", url);
    expect(degraded.code).toBe(EXIT_CODES.negative);
    expect(degraded.stdout).toContain("Degraded");

    const unknown = await flowops("rollout", "status", "nope", "--tracking-uri", url);
    expect(unknown.code).toBe(EXIT_CODES.error);
    expect(unknown.stderr).toBe("error: RESOURCE_DOES_NOT_EXIST: Nothing at /api/v1/deployments/nope.\n");
  });

  it("exits 1 for a firing alert and 2 when monitor status fails", async () => {
    expect((await flowops("monitor", "status", "churn", "--tracking-uri", url)).code).toBe(1);
    const failed = await flowops("monitor", "status", "nope", "--tracking-uri", url);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("RESOURCE_DOES_NOT_EXIST");
  });

  it("exits 2 with a one-line message for an error that is not a FlowOpsError", async () => {
    const result = await flowops("monitor", "status", "--tracking-uri", `${url}/garbage`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*JSON.*\n$/);
  });

  it("exits 2 for an error of any FlowOps command, such as a refused promote", async () => {
    expect((await flowops("rollout", "promote", "nope", "--tracking-uri", url)).code).toBe(2);
  });

  it("names the option and the file when a file given on the command line cannot be read", async () => {
    const missing = join(dir, "nope.yaml");
    const result = await flowops(
      ...["deploy", "churn", "--model", "models:/churn/3", "--target", "kubernetes"],
      ...["--render", join(dir, "out"), "--config", missing],
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: INVALID_PARAMETER_VALUE: --config: cannot read ${missing}: no such file\n`,
    );
  });

  it("keeps dvc's exit codes for the dvc-compatible commands", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const result = await flowops("data", "status");
      expect(result.code).toBe(253);
      expect(result.stderr).toMatch(
        /^ERROR: you are not inside of a DVC repository \(checked up to mount point '.+'\)\n$/,
      );
      expect((await flowops("data", "status", "--bogus")).code).toBe(254);
      // dvc's cache migrate opens the repository first; its other cache commands fail on the config (251).
      expect((await flowops("data", "cache", "migrate", "--dry")).code).toBe(253);
      expect((await flowops("data", "cache", "dir")).code).toBe(251);
      await flowops("data", "init", "--no-scm");
      // Caught and reported by dvc's own command: 1; let through to dvc's main: 255.
      expect((await flowops("data", "push", "nowhere.dvc")).code).toBe(1);
      expect((await flowops("repro", "nowhere")).code).toBe(255);
      expect((await flowops("dag", "nowhere")).code).toBe(255);
      // With no remote at all (observed: dvc 3.67.1): gc -c lets dvc's ConfigError through (251); push
      // fails (1) though nothing is tracked; status -c needs no remote when there is nothing to compare.
      expect((await flowops("data", "gc", "-w", "-c", "-f")).code).toBe(251);
      expect((await flowops("data", "push")).code).toBe(1);
      const status = await flowops("data", "status", "-c");
      expect(status.code).toBe(0);
      expect(status.stdout).toContain("There are no data or pipelines tracked in this project yet.");
      // A .dvcignore inside an added directory is no DvcException in dvc: it escapes `add` (255).
      mkdirSync(join(dir, "d"));
      writeFileSync(join(dir, "d", "f"), "f\n");
      writeFileSync(join(dir, "d", ".dvcignore"), "*.tmp\n");
      expect((await flowops("data", "add", "d")).code).toBe(255);
    } finally {
      process.chdir(cwd);
    }
  });
});
