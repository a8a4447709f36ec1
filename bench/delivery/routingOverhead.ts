/**
 * Routing overhead of a 90/10 canary against the stable version alone, in one server process.
 *
 * Design: both sides are endpoints of the same server (canaryServer.ts, its own process), reached on the
 * same protocol path /v2/models/<endpoint>/infer with the same body: `direct` routes 100 % to stable,
 * `canary` splits 90/10 between stable and a byte-identical candidate. Same process, same HTTP stack, same
 * registry, same model, so the difference is what a canary adds: the split itself, the candidate's model
 * instance (its own worker), and the comparison inferences (10 % of requests, those answered by the
 * candidate, are also run on stable for the agreement metric, after the answer is sent). A second
 * `flowops serve` process would also have compared two servers' start-up, memory and JIT state, and taken a
 * core from the other side; it would not isolate routing. The load generator (bench/serving/
 * loadGenerator.ts) is a separate process, open loop, latency from the scheduled send time. What this
 * does not measure: the endpoint registry's own cost against `flowops serve` (both sides pay it).
 *
 * After a discarded warm-up on each side, per repeat: the fixed moderate rate on both sides, then the
 * rate steps, each rate on both sides back to back (order alternating between repeats) until a side stops
 * keeping up: an error, < 95 % of the rate achieved, or p99 over the limit.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { stepRates, withinLimit, type LoadSettings, type RateResult } from "../serving/onlineLoad.js";

export type Side = "direct" | "canary";
export const SIDES: readonly Side[] = ["direct", "canary"];

export interface OverheadSettings {
  fixedRate: number;
  rates: number[];
  durationS: number;
  warmupS: number;
  connections: number;
  /** Load on each side before the first measured run (JIT, connection pools, model sessions), discarded. */
  serverWarmupS: number;
  /** A rate step is kept up when p99 stays under this, with no errors and >= 95 % achieved. */
  maxP99Ms: number;
  repeats: number;
}

export interface OverheadRepeat {
  fixed: Record<Side, RateResult>;
  steps: Record<Side, RateResult[]>;
  highestKeptUp: Record<Side, number>;
}

export interface OverheadResult {
  repeats: OverheadRepeat[];
  /** The canary's candidate weight read back after the last run (10 when the split held throughout). */
  canaryWeightAfter: number | undefined;
}

interface RunningCanaryServer {
  url: string;
  bodyFile: string;
  stop(): Promise<void>;
}

const REPO = resolve(import.meta.dirname, "../..");

async function startCanaryServer(): Promise<RunningCanaryServer> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", resolve(import.meta.dirname, "canaryServer.ts")],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
  );
  let errors = "";
  child.stderr.on("data", (data: Buffer) => {
    errors = (errors + data.toString()).slice(-8000);
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const forced = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(forced);
  };
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((ok, fail) => {
    lines.once("line", ok);
    void exited.then(() => fail(new Error(`canaryServer.ts exited ${child.exitCode}:\n${errors}`)));
  });
  const ready = JSON.parse(first) as { url: string; bodyFile: string };
  return { url: ready.url, bodyFile: ready.bodyFile, stop };
}

async function candidateWeight(url: string): Promise<number | undefined> {
  const response = await fetch(`${url}/api/v1/deployments/canary`);
  if (!response.ok) return undefined;
  const body = (await response.json()) as Record<string, unknown>;
  const status = (body.deployment ?? body) as {
    candidate?: string;
    weights?: { model: string; weight: number }[];
  };
  return status.weights?.find((route) => route.model === status.candidate)?.weight ?? 0;
}

function loadAt(settings: OverheadSettings, rate: number, durationS = settings.durationS): LoadSettings {
  return {
    rates: [rate],
    durationS,
    warmupS: settings.warmupS,
    connections: settings.connections,
    p99LimitMs: settings.maxP99Ms,
  };
}

export async function measureRoutingOverhead(settings: OverheadSettings): Promise<OverheadResult> {
  const server = await startCanaryServer();
  const endpointOf = (side: Side) => ({
    label: side,
    url: `${server.url}/v2/models/${side}/infer`,
    bodyFile: server.bodyFile,
  });
  const once = (side: Side, rate: number): RateResult =>
    stepRates(endpointOf(side), loadAt(settings, rate))[0]!;
  try {
    for (const side of SIDES) {
      stepRates(endpointOf(side), loadAt(settings, settings.fixedRate, settings.serverWarmupS));
    }
    const repeats: OverheadRepeat[] = [];
    for (let r = 0; r < settings.repeats; r++) {
      const order = r % 2 === 0 ? SIDES : [...SIDES].reverse();
      const fixed = {} as Record<Side, RateResult>;
      for (const side of order) fixed[side] = once(side, settings.fixedRate);
      const steps: Record<Side, RateResult[]> = { direct: [], canary: [] };
      const going = new Set<Side>(SIDES);
      for (const rate of settings.rates) {
        for (const side of order) {
          if (!going.has(side)) continue;
          const result = once(side, rate);
          steps[side].push(result);
          if (!withinLimit(result, settings.maxP99Ms)) going.delete(side);
        }
        if (going.size === 0) break;
      }
      const highestKeptUp = {} as Record<Side, number>;
      for (const side of SIDES) {
        const kept = steps[side].filter((result) => withinLimit(result, settings.maxP99Ms));
        highestKeptUp[side] = Math.max(0, ...kept.map((result) => result.rate));
      }
      repeats.push({ fixed, steps, highestKeptUp });
    }
    return { repeats, canaryWeightAfter: await candidateWeight(server.url) };
  } finally {
    await server.stop();
  }
}
