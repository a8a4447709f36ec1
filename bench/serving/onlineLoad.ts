/**
 * The online half of the serving benchmark: for one endpoint of a running server, runs the load generator
 * (its own process) at each rate in turn, lowest first, and stops after the first rate where a request fails,
 * the server falls behind the schedule, or p99 passes ten times the limit. It does not stop at the first p99
 * over the limit: on a shared machine one noisy step would end the curve before the server's real knee.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { runVegetaRate } from "./vegetaLoad.js";

export interface RateResult {
  rate: number;
  achievedRate: number;
  sent: number;
  ok: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  sendLagP99Ms: number;
  firstError?: string;
}

export interface LoadSettings {
  rates: number[];
  durationS: number;
  warmupS: number;
  connections: number;
  p99LimitMs: number;
  /** The load generator: ours (loadGenerator.ts, the default) or the vegeta binary at this path (vegetaLoad.ts). */
  generator?: { kind: "node" } | { kind: "vegeta"; path: string };
}

export interface Endpoint {
  label: string;
  url: string;
  bodyFile: string;
}

const LOAD_GENERATOR = resolve(import.meta.dirname, "loadGenerator.ts");

export function withinLimit(result: RateResult, p99LimitMs: number): boolean {
  return result.errors === 0 && result.p99Ms < p99LimitMs && result.achievedRate >= 0.95 * result.rate;
}

function runRate(endpoint: Endpoint, rate: number, settings: LoadSettings): RateResult {
  if (settings.generator?.kind === "vegeta") {
    return runVegetaRate(settings.generator.path, endpoint, rate, settings);
  }
  const run = spawnSync(
    process.execPath,
    [
      ...["--import", "tsx", LOAD_GENERATOR, "--url", endpoint.url, "--body-file", endpoint.bodyFile],
      ...["--rate", String(rate), "--duration-s", String(settings.durationS)],
      ...["--warmup-s", String(settings.warmupS), "--connections", String(settings.connections)],
    ],
    { encoding: "utf8", cwd: resolve(import.meta.dirname, "../..") },
  );
  if (run.status !== 0) throw new Error(`load generator exited ${run.status}:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as RateResult;
}

export function stepRates(endpoint: Endpoint, settings: LoadSettings): RateResult[] {
  const results: RateResult[] = [];
  for (const rate of settings.rates) {
    const result = runRate(endpoint, rate, settings);
    results.push(result);
    console.log(
      `[${endpoint.label}] ${rate}/s: achieved ${result.achievedRate.toFixed(0)}/s, ` +
        `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, errors ${result.errors}` +
        (Number.isNaN(result.sendLagP99Ms) ? "" : `, send lag p99 ${result.sendLagP99Ms.toFixed(2)} ms`) +
        (result.firstError === undefined ? "" : ` (${result.firstError})`),
    );
    if (!sustained(result, settings.p99LimitMs)) break;
  }
  return results;
}

/** Kept up: no failures, the schedule held, and p99 within ten times the latency limit. */
export function sustained(result: RateResult, p99LimitMs: number): boolean {
  return result.errors === 0 && result.achievedRate >= 0.95 * result.rate && result.p99Ms <= 10 * p99LimitMs;
}

/** The highest rate the server kept up with, whatever its p99 (the requests-per-second comparison). */
export function highestSustainedRate(results: RateResult[], p99LimitMs: number): number {
  return Math.max(0, ...results.filter((r) => sustained(r, p99LimitMs)).map((r) => r.rate));
}

/** The highest rate that met the limit; 0 when even the lowest did not. */
export function highestRateWithin(results: RateResult[], p99LimitMs: number): number {
  return Math.max(0, ...results.filter((r) => withinLimit(r, p99LimitMs)).map((r) => r.rate));
}
