/**
 * Open-loop load generator, run as its own process on loopback: sends POST requests at a fixed rate for a
 * duration and prints one JSON line {rate, achievedRate, sent, ok, errors, p50Ms, p99Ms, maxMs,
 * sendLagP99Ms}.
 *
 *   node --import tsx bench/serving/loadGenerator.ts --url URL --body-file F [--content-type T]
 *        --rate 1000 [--duration-s 10] [--warmup-s 2] [--connections 64] [--timeout-ms 5000]
 *
 * Requests are sent on a schedule fixed in advance (t0 + i / rate), whatever the responses do, and latency
 * is measured from the scheduled time, not from when the request left: a server that stalls is charged for
 * every request that should have gone out meanwhile (no coordinated omission). Keep-alive connections from
 * one http.Agent; when all are busy a request waits for one, and that wait counts too. Only requests
 * scheduled after the warm-up count. sendLagP99Ms is how late the generator itself sent (timer granularity,
 * its own CPU share): latency below it is not the server's.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    "body-file": { type: "string" },
    "content-type": { type: "string", default: "application/json" },
    rate: { type: "string", default: "1000" },
    "duration-s": { type: "string", default: "10" },
    "warmup-s": { type: "string", default: "2" },
    connections: { type: "string", default: "64" },
    "timeout-ms": { type: "string", default: "5000" },
  },
});
if (values.url === undefined || values["body-file"] === undefined) {
  throw new Error("loadGenerator needs --url and --body-file");
}
const target = new URL(values.url);
const body = readFileSync(values["body-file"]);
const rate = Number(values.rate);
const warmupMs = Number(values["warmup-s"]) * 1000;
const measuredMs = Number(values["duration-s"]) * 1000;
const timeoutMs = Number(values["timeout-ms"]);
const agent = new Agent({ keepAlive: true, maxSockets: Number(values.connections) });
const headers = { "content-type": values["content-type"], "content-length": String(body.length) };

const latencies: number[] = [];
/** How late each measured request left against its schedule: the generator's own share of the latency. */
const sendLags: number[] = [];
let sent = 0;
let ok = 0;
let errors = 0;
let firstError: string | undefined;
let outstanding = 0;

function nowMs(): number {
  return performance.now();
}

function send(scheduledMs: number, counted: boolean): void {
  outstanding++;
  if (counted) {
    sent++;
    sendLags.push(nowMs() - scheduledMs);
  }
  let settled = false;
  const finish = (error: string | undefined): void => {
    if (settled) return;
    settled = true;
    outstanding--;
    if (!counted) return;
    if (error === undefined) {
      ok++;
      latencies.push(nowMs() - scheduledMs);
    } else {
      errors++;
      firstError ??= error;
    }
  };
  const req = request(
    {
      host: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      method: "POST",
      agent,
      headers,
    },
    (res) => {
      res.on("data", () => undefined);
      res.on("end", () =>
        finish(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode ?? "no status"}`),
      );
      res.on("error", (error) => finish(error.message));
    },
  );
  req.setTimeout(timeoutMs, () => {
    finish(`no answer within ${timeoutMs} ms`);
    req.destroy();
  });
  req.on("error", (error) => finish(error.message));
  req.end(body);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const intervalMs = 1000 / rate;
  const total = Math.round(((warmupMs + measuredMs) / 1000) * rate);
  const warmupCount = Math.round((warmupMs / 1000) * rate);
  const start = nowMs();
  let next = 0;
  await new Promise<void>((done) => {
    const tick = (): void => {
      const now = nowMs();
      while (next < total && start + next * intervalMs <= now) {
        send(start + next * intervalMs, next >= warmupCount);
        next++;
      }
      if (next >= total) return done();
      // setTimeout has ~1 ms granularity; requests due meanwhile go out together at the next tick, and their
      // latency still counts from their own scheduled times.
      setTimeout(tick, Math.max(0, start + next * intervalMs - nowMs() - 0.5));
    };
    tick();
  });
  const scheduleEnd = nowMs();
  const deadline = scheduleEnd + timeoutMs + 1000;
  while (outstanding > 0 && nowMs() < deadline) await new Promise((r) => setTimeout(r, 5));
  const lastDoneMs = nowMs();
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const measuredWindowMs = Math.max(scheduleEnd, lastDoneMs) - (start + warmupMs);
  process.stdout.write(
    `${JSON.stringify({
      rate,
      achievedRate: ok / (measuredWindowMs / 1000),
      sent,
      ok,
      errors: errors + (sent - ok - errors),
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1],
      sendLagP99Ms: percentile(
        sendLags.sort((a, b) => a - b),
        99,
      ),
      ...(firstError === undefined ? {} : { firstError }),
    })}\n`,
  );
}

await main();
