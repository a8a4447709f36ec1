/**
 * A real Prometheus (the Debian package's /usr/bin/prometheus) scraping a running FlowOps server every
 * second on a private port, with its TSDB in a temp dir; inference traffic goes to a deployment, and the
 * delivery's own PrometheusMetricProvider queries the scraped series, as a rollout analysis would.
 * Skipped where Prometheus is not installed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsClient } from "../../src/client/index.js";
import type { AnalysisMetric } from "../../src/delivery/analysis/analysisTemplate.js";
import { PrometheusMetricProvider } from "../../src/delivery/analysis/prometheusProvider.js";
import { startServer, type RunningServer } from "../../src/server/start.js";
import { postV2, writeHarnessModels } from "../support/deliveryHarness.js";

const PROMETHEUS = process.env.FLOWOPS_PROMETHEUS_BIN ?? "/usr/bin/prometheus";
const REQUESTS = 25;

/** A port nothing listens on right now, for Prometheus' own web listener. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

function metric(address: string, query: string): AnalysisMetric {
  return {
    name: "requests",
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    provider: { prometheus: { address, query } },
  };
}

/** Asks until Prometheus answers a non-empty vector whose first sample passes `done`, or 30 s pass. */
async function queryUntil(address: string, query: string, done: (value: number) => boolean): Promise<number> {
  const provider = new PrometheusMetricProvider();
  const deadline = Date.now() + 30_000;
  let last = "";
  for (;;) {
    const measurement = await provider.measure(metric(address, query), { args: {}, now: Date.now() });
    const value = Array.isArray(measurement.value) ? measurement.value[0] : measurement.value;
    if (measurement.phase === "Successful" && typeof value === "number" && done(value)) return value;
    last = JSON.stringify(measurement);
    if (Date.now() > deadline)
      throw new Error(`Prometheus never answered '${query}' as expected; last: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(!existsSync(PROMETHEUS))("FlowOps scraped by a real Prometheus", () => {
  let dir: string;
  let server: RunningServer;
  let prometheus: ChildProcess;
  let address: string;
  let prometheusLog = "";
  const previousHome = process.env.FLOWOPS_HOME;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-prometheus-"));
    process.env.FLOWOPS_HOME = join(dir, "home");
    server = await startServer({ port: 0 }, { logger: false });
    const target = new URL(server.url).host;
    const port = await freePort();
    address = `http://127.0.0.1:${port}`;
    const config = join(dir, "prometheus.yml");
    await writeFile(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: flowops",
        "    metrics_path: /metrics",
        "    static_configs:",
        `      - targets: ["${target}"]`,
        "",
      ].join("\n"),
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const keep = (chunk: Buffer) => {
      prometheusLog = (prometheusLog + chunk.toString()).slice(-4000);
    };
    prometheus.stdout?.on("data", keep);
    prometheus.stderr?.on("data", keep);
  }, 60_000);

  afterAll(async () => {
    if (prometheus !== undefined && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once("exit", resolve));
      prometheus.kill("SIGTERM");
      await exited;
    }
    await server?.close();
    if (previousHome === undefined) delete process.env.FLOWOPS_HOME;
    else process.env.FLOWOPS_HOME = previousHome;
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it("counts the inference requests sent to a deployment, as the delivery's Prometheus provider reads them", async () => {
    const models = await writeHarnessModels(join(dir, "models"));
    const client = new FlowOpsClient({ trackingUri: server.url });
    await client.deployments.create({ name: "churn", modelUri: models.stable });
    for (let seed = 0; seed < REQUESTS; seed += 1) {
      expect((await postV2(server.url, "/v2/models/churn/infer", seed)).status).toBe(200);
    }
    const query = 'sum(flowops_inference_requests_total{model="churn",code="200"})';
    try {
      const value = await queryUntil(address, query, (v) => v >= REQUESTS);
      expect(value).toBe(REQUESTS);
      const up = await queryUntil(address, 'up{job="flowops"}', (v) => v === 1);
      expect(up).toBe(1);
      const weight = await queryUntil(
        address,
        'flowops_deployment_traffic_weight{endpoint="churn",role="stable"}',
        () => true,
      );
      expect(weight).toBe(100);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nprometheus log:\n${prometheusLog}`);
    }
  }, 90_000);
});
