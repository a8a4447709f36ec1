/**
 * Tracking benchmark: the same workloads against `flowops server` and `mlflow server`, side by side on this
 * machine, printing each figure and the ratio. Not a test: nothing here asserts on time.
 *
 *   npm run bench:tracking -- [--clients 8] [--batches 10] [--history 100000] [--runs 100000] [--repeats 5]
 */
import { parseArgs } from "node:util";
import { mlflowBinary, startBenchServer, type BenchServer, type ServerKind } from "./servers.js";
import { history, ingest, search } from "./workloads.js";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "8" },
    batches: { type: "string", default: "10" },
    history: { type: "string", default: "100000" },
    runs: { type: "string", default: "100000" },
    repeats: { type: "string", default: "5" },
    only: { type: "string" },
  },
});
const clients = Number(values.clients);
const batches = Number(values.batches);
const historyPoints = Number(values.history);
const runs = Number(values.runs);
const repeats = Number(values.repeats);

interface Figures {
  ingestPointsPerSecond?: number | undefined;
  historyMs?: number | undefined;
  searchMs?: number | undefined;
  searchHits?: number | undefined;
  rssMiB?: number | undefined;
}

/**
 * Runs one workload; a server that fails it (MLflow closes the connection on a large search) gets no
 * figure for that row instead of ending the whole comparison.
 */
async function attempt<T>(kind: ServerKind, workload: () => Promise<T>): Promise<T | undefined> {
  try {
    return await workload();
  } catch (error) {
    console.log(`[${kind}]   failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function measure(kind: ServerKind): Promise<Figures> {
  const server: BenchServer = await startBenchServer(kind);
  try {
    console.log(`[${kind}] ingest: ${clients} clients x ${batches} log-batch x 1000 metrics`);
    const ingested = await attempt(kind, () => ingest(server, clients, batches));
    if (ingested !== undefined) {
      console.log(
        `[${kind}]   ${ingested.pointsPerSecond.toFixed(0)} points/s (${ingested.seconds.toFixed(2)} s)`,
      );
    }
    console.log(`[${kind}] get-history of ${historyPoints} points`);
    const historyMs = await attempt(kind, () => history(server, historyPoints, repeats));
    if (historyMs !== undefined) console.log(`[${kind}]   median ${historyMs.toFixed(1)} ms`);
    console.log(`[${kind}] search over ${runs} runs`);
    const searched = await attempt(kind, () => search(server, runs, repeats));
    if (searched !== undefined) {
      console.log(`[${kind}]   median ${searched.ms.toFixed(1)} ms, ${searched.hits} runs on the page`);
    }
    const rssMiB = await attempt(kind, async () => server.rssMiB());
    return {
      ingestPointsPerSecond: ingested?.pointsPerSecond,
      historyMs,
      searchMs: searched?.ms,
      searchHits: searched?.hits,
      rssMiB,
    };
  } finally {
    await server.stop();
  }
}

const kinds: ServerKind[] = values.only !== undefined ? [values.only as ServerKind] : ["flowops", "mlflow"];
if (kinds.includes("mlflow") && mlflowBinary() === undefined) {
  console.error("mlflow is not installed in .venv: run `bash .ci/run` (or set FLOWOPS_BENCH_MLFLOW) first");
  process.exit(2);
}
const results = new Map<ServerKind, Figures>();
for (const kind of kinds) results.set(kind, await measure(kind));

const f = results.get("flowops");
const m = results.get("mlflow");
console.log("\n| workload | flowops | mlflow | ratio |\n|---|---|---|---|");
const row = (
  name: string,
  a: number | undefined,
  b: number | undefined,
  unit: string,
  higherIsBetter: boolean,
): void => {
  const ratio = a !== undefined && b !== undefined ? (higherIsBetter ? a / b : b / a) : undefined;
  console.log(
    `| ${name} | ${a?.toFixed(1) ?? "-"} ${unit} | ${b?.toFixed(1) ?? "-"} ${unit} | ${ratio !== undefined ? `${ratio.toFixed(1)}x` : "-"} |`,
  );
};
row(
  `ingest (${clients} clients, log-batch 1000)`,
  f?.ingestPointsPerSecond,
  m?.ingestPointsPerSecond,
  "points/s",
  true,
);
row(`get-history ${historyPoints} points (median)`, f?.historyMs, m?.historyMs, "ms", false);
row(
  `search ${runs} runs, metric+param filter, order by metric (median)`,
  f?.searchMs,
  m?.searchMs,
  "ms",
  false,
);
row("server RSS after the run", f?.rssMiB, m?.rssMiB, "MiB", false);
if (f?.searchHits !== undefined && m?.searchHits !== undefined && f.searchHits !== m.searchHits) {
  console.log(`note: the servers returned different page sizes (${f.searchHits} vs ${m.searchHits})`);
}
