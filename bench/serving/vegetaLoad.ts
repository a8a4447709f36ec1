/**
 * The same fixed-rate step as loadGenerator.ts, driven by vegeta (github.com/tsenart/vegeta, Go, from the Go
 * module proxy): an independent, widely used open-loop generator whose own cost per request is a fraction of
 * Node's http client, so the floor under every server's p99 is lower and is not our own code. Install once:
 *
 *   GOBIN=$PWD/bench/serving/.bin go install github.com/tsenart/vegeta/v12@v12.13.0
 *
 * A warm-up attack runs first and is discarded, then the measured one. Vegeta measures each request from
 * when one of its workers sends it; its pacer keeps the schedule, and it adds workers (up to --connections)
 * when all are busy, so a stalled server still shows in the latencies. It reports no send lag.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Endpoint, LoadSettings, RateResult } from "./onlineLoad.js";

interface VegetaReport {
  latencies: { "50th": number; "99th": number; max: number };
  requests: number;
  rate: number;
  throughput: number;
  success: number;
  status_codes: Record<string, number> | null;
  errors: string[] | null;
}

export function runVegetaRate(
  vegeta: string,
  endpoint: Endpoint,
  rate: number,
  settings: LoadSettings,
): RateResult {
  const dir = mkdtempSync(join(tmpdir(), "flowops-vegeta-"));
  try {
    const targets = join(dir, "targets.txt");
    writeFileSync(targets, `POST ${endpoint.url}\nContent-Type: application/json\n@${endpoint.bodyFile}\n`);
    const attack = (durationS: number, output: string): void => {
      const run = spawnSync(
        vegeta,
        [
          "attack",
          `-targets=${targets}`,
          `-rate=${rate}/1s`,
          `-duration=${durationS}s`,
          `-max-workers=${settings.connections}`,
          `-connections=${settings.connections}`,
          "-keepalive=true",
          "-timeout=5s",
          `-output=${output}`,
        ],
        { encoding: "utf8" },
      );
      if (run.status !== 0) throw new Error(`vegeta attack exited ${run.status}: ${run.stderr}`);
    };
    if (settings.warmupS > 0) attack(settings.warmupS, join(dir, "warmup.bin"));
    const results = join(dir, "results.bin");
    attack(settings.durationS, results);
    const report = spawnSync(vegeta, ["report", "-type=json", results], { encoding: "utf8" });
    if (report.status !== 0) throw new Error(`vegeta report exited ${report.status}: ${report.stderr}`);
    const parsed = JSON.parse(report.stdout) as VegetaReport;
    const ok = Math.round(parsed.requests * parsed.success);
    const firstError = parsed.errors?.[0];
    return {
      rate,
      achievedRate: parsed.throughput,
      sent: parsed.requests,
      ok,
      errors: parsed.requests - ok,
      p50Ms: parsed.latencies["50th"] / 1e6,
      p99Ms: parsed.latencies["99th"] / 1e6,
      maxMs: parsed.latencies.max / 1e6,
      sendLagP99Ms: Number.NaN,
      ...(firstError === undefined ? {} : { firstError }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
