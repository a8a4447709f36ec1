/**
 * Data-versioning benchmark: `flowops data` / `flowops repro` against `dvc` on the same inputs, on this
 * machine, printing medians and ratios. Not a test: nothing here asserts on time.
 *
 *   npm run build && npm run bench:data -- [--files 10000] [--total-mib 1024] [--large-mib 1024] [--stages 20]
 *                                          [--repeats 3] [--dvc path/to/dvc]
 *
 * Each tool works in its own fresh git + DVC repository whose data files are hard links to one generated
 * copy (so both read the same bytes from the page cache). `add` is timed once per tool (cold state);
 * unchanged `status`, the cold-state rehash and the no-op `repro` are timed `--repeats` times. Unchanged `status`
 * is timed in the steady state, for both tools alike: 2 s after `add` (FlowOps does not trust a cache listing
 * changed in the last 2 s) and after one untimed `status` (each tool records what it learnt on its first one).
 *
 * FlowOps runs as users run it, `bin/flowops.js` through its shebang (as `npx flowops` and PATH do), as dvc
 * runs through its own script. When NODE_EXTRA_CA_CERTS is set (this VM sets it), a Node.js process started
 * with it reads and parses that bundle before running any JavaScript (30-40 ms here); the launcher's shell line
 * defers it to the first TLS connection (bin/deferredCaCertificates.js). The quick FlowOps commands (status,
 * rehash, no-op repro) are also timed with the variable unset, in the same repositories, and both ratios are
 * printed: the difference is what the deferral still costs.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "10000" },
    "total-mib": { type: "string", default: "1024" },
    "large-mib": { type: "string", default: "1024" },
    stages: { type: "string", default: "20" },
    repeats: { type: "string", default: "3" },
    dvc: { type: "string", default: process.env.FLOWOPS_BENCH_DVC ?? "tests/compat/.venv/dvc/bin/dvc" },
    keep: { type: "boolean", default: false },
  },
});
const MiB = 1024 * 1024;
const repeats = Number(values.repeats);
const dvcBin = resolve(values.dvc);
const flowopsBin = resolve("bin/flowops.js");
type Tool = "dvc" | "flowops";
const TOOLS: Tool[] = ["dvc", "flowops"];
/** The column for FlowOps timed without NODE_EXTRA_CA_CERTS; absent when the variable is not set. */
const CLEAN_ENV_COLUMN = "flowops, NODE_EXTRA_CA_CERTS unset";
const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined && process.env.NODE_EXTRA_CA_CERTS !== "";

function run(
  tool: Tool,
  cwd: string,
  args: string[],
  options: { withoutExtraCaCerts?: boolean } = {},
): number {
  const started = process.hrtime.bigint();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DVC_NO_ANALYTICS: "1",
    DVC_SITE_CACHE_DIR: join(cwd, "..", "dvc-site"),
  };
  if (options.withoutExtraCaCerts === true) delete env.NODE_EXTRA_CA_CERTS;
  const result =
    tool === "dvc"
      ? spawnSync(dvcBin, args, { cwd, env, encoding: "utf8" })
      : spawnSync(flowopsBin, args, { cwd, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${tool} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return ms;
}

function sh(cwd: string, command: string): void {
  const result = spawnSync("sh", ["-c", command], { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command}: ${result.stderr}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The machine's md5 speed on one core, in memory, 1 MiB updates: the ceiling hashing is judged against. */
function md5MiBPerSecond(): number {
  const buffer = Buffer.alloc(MiB, 7);
  const hash = createHash("md5");
  const started = process.hrtime.bigint();
  let n = 0;
  while (Number(process.hrtime.bigint() - started) < 2e9) {
    hash.update(buffer);
    n++;
  }
  hash.digest();
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function makeRepo(base: string, tool: Tool, name: string, source: string): Promise<string> {
  const dir = join(base, tool, name);
  await mkdir(join(base, tool), { recursive: true });
  // Hard links: both tools read the same bytes, and the copy costs no disk time.
  sh(base, `cp -al ${JSON.stringify(source)} ${JSON.stringify(dir)}`);
  sh(dir, "git init -q && git config user.email b@b && git config user.name b");
  run("dvc", dir, ["init", "-q"]);
  return dir;
}

function clearState(tool: Tool, dir: string): void {
  if (tool === "dvc") sh(dir, "rm -rf ../dvc-site");
  else sh(dir, "rm -f .dvc/tmp/flowops-hashes.sqlite*");
}

/** bench/data/fileHashCeiling.ts in a child process, `repeats` times: the median MiB/s. */
function fileHashCeiling(dir: string, threads: number): number {
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "fileHashCeiling.ts"), dir, String(threads)],
      { encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`fileHashCeiling.ts exited ${result.status}: ${result.stderr}`);
    runs.push((JSON.parse(result.stdout) as { mibPerSecond: number }).mibPerSecond);
  }
  return median(runs);
}

interface Row {
  name: string;
  dvc: number;
  flowops: number;
  /** FlowOps with NODE_EXTRA_CA_CERTS unset, when it was timed that way. */
  flowopsClean: number | undefined;
}

async function main(): Promise<void> {
  for (const path of [dvcBin, flowopsBin]) {
    if (!existsSync(path))
      throw new Error(`${path} is missing (npm run build; bash tests/compat/venv.sh ...)`);
  }
  const base = await mkdtemp(join(tmpdir(), "flowops-bench-data-"));
  const cores = availableParallelism();
  const rows: Row[] = [];
  try {
    const baseline = md5MiBPerSecond();
    console.log(`md5 in memory, one core: ${baseline.toFixed(0)} MiB/s; ${cores} cores`);
    const files = Number(values.files);
    const totalBytes = Number(values["total-mib"]) * MiB;
    const largeBytes = Number(values["large-mib"]) * MiB;

    console.log(`generating ${files} files, ${values["total-mib"]} MiB; one ${values["large-mib"]} MiB file`);
    const generated = spawnSync(
      process.execPath,
      [
        ...["--import", "tsx", join(import.meta.dirname, "generateInputs.ts"), base],
        ...[String(files), String(totalBytes), String(largeBytes), String(values.stages)],
      ],
      { encoding: "utf8" },
    );
    if (generated.status !== 0)
      throw new Error(`generateInputs.ts exited ${generated.status}: ${generated.stderr}`);
    // Every timed command is a child of this process, and a big parent makes each start slower (see
    // generateInputs.ts); the figure shows the harness stayed small.
    console.log(`bench process: ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB resident`);

    type Column = Tool | typeof CLEAN_ENV_COLUMN;
    const timings = new Map<string, Partial<Record<Column, number[]>>>();
    const record = (name: string, column: Column, ms: number): void => {
      const entry = timings.get(name) ?? {};
      (entry[column] ??= []).push(ms);
      timings.set(name, entry);
      console.log(`[${column}] ${name}: ${ms.toFixed(0)} ms`);
    };
    /** Times a quick command `repeats` times, and for FlowOps also with NODE_EXTRA_CA_CERTS unset. */
    const repeat = (name: string, tool: Tool, command: () => number, clean: () => number): void => {
      for (let i = 0; i < repeats; i++) {
        record(name, tool, command());
        if (tool === "flowops" && extraCaCerts) record(name, CLEAN_ENV_COLUMN, clean());
      }
    };

    for (const tool of TOOLS) {
      const many = await makeRepo(base, tool, "many", join(base, "src-many"));
      record(`add ${files} files`, tool, run(tool, many, addArgs(tool, ["data"])));
      await settle(tool, many);
      repeat(
        `status ${files} files, unchanged`,
        tool,
        () => status(tool, many),
        () => status(tool, many, true),
      );
      repeat(
        `rehash ${files} files (no state)`,
        tool,
        () => (clearState(tool, many), status(tool, many)),
        () => (clearState(tool, many), status(tool, many, true)),
      );
      await rm(join(many, ".dvc", "cache"), { recursive: true, force: true });

      const large = await makeRepo(base, tool, "large", join(base, "src-large"));
      record("add one large file", tool, run(tool, large, addArgs(tool, ["large.bin"])));
      await settle(tool, large);
      repeat(
        "status one large file, unchanged",
        tool,
        () => status(tool, large),
        () => status(tool, large, true),
      );
      repeat(
        "rehash one large file (no state)",
        tool,
        () => (clearState(tool, large), status(tool, large)),
        () => (clearState(tool, large), status(tool, large, true)),
      );
      await rm(join(large, ".dvc", "cache"), { recursive: true, force: true });

      const pipeline = await makeRepo(base, tool, "pipeline", join(base, "src-pipeline"));
      run(tool, pipeline, ["repro"]);
      repeat(
        `no-op repro, ${values.stages} stages`,
        tool,
        () => run(tool, pipeline, ["repro"]),
        () => run(tool, pipeline, ["repro"], { withoutExtraCaCerts: true }),
      );
    }

    for (const [name, byColumn] of timings) {
      const clean = byColumn[CLEAN_ENV_COLUMN];
      rows.push({
        name,
        dvc: median(byColumn.dvc ?? []),
        flowops: median(byColumn.flowops ?? []),
        flowopsClean: clean === undefined ? undefined : median(clean),
      });
    }
    const cleanHeader = extraCaCerts ? ` ${CLEAN_ENV_COLUMN} (ms) | dvc / that |` : "";
    console.log(
      `\n| workload | dvc (ms) | flowops (ms) | dvc / flowops |${cleanHeader}\n|---|---:|---:|---:|` +
        (extraCaCerts ? "---:|---:|" : ""),
    );
    for (const row of rows) {
      const ratio = (ms: number): string => `${(row.dvc / ms).toFixed(1)}x`;
      const clean = !extraCaCerts
        ? ""
        : row.flowopsClean === undefined
          ? " | |"
          : ` ${row.flowopsClean.toFixed(0)} | ${ratio(row.flowopsClean)} |`;
      console.log(
        `| ${row.name} | ${row.dvc.toFixed(0)} | ${row.flowops.toFixed(0)} | ${ratio(row.flowops)} |${clean}`,
      );
    }
    const throughput = (name: string, bytes: number, coresUsed: number): void => {
      const row = rows.find((r) => r.name === name);
      if (row === undefined) return;
      const share = (ms: number): string => {
        const mibps = bytes / MiB / (ms / 1000);
        return `${mibps.toFixed(0)} MiB/s = ${((100 * mibps) / (baseline * coresUsed)).toFixed(0)} %`;
      };
      const clean = row.flowopsClean === undefined ? "" : ` (${share(row.flowopsClean)} with it unset)`;
      console.log(`${name}: flowops ${share(row.flowops)}${clean} of md5 on ${coresUsed} core(s)`);
    };
    console.log("");
    throughput(`rehash ${files} files (no state)`, totalBytes, cores);
    const ceiling = fileHashCeiling(join(base, "src-many", "data"), cores);
    console.log(
      `  the same files hashed by OpenSSL one at a time on ${cores} threads with nothing else (no start-up, walk ` +
        `or state; FlowOps hashes four at a time in SIMD lanes), ` +
        `median of ${repeats}: ${ceiling.toFixed(0)} MiB/s = ${((100 * ceiling) / (baseline * cores)).toFixed(0)} % ` +
        "of md5 (bench/data/fileHashCeiling.ts)",
    );
    throughput("rehash one large file (no state)", largeBytes, 1);
  } finally {
    if (!values.keep) await rm(base, { recursive: true, force: true });
    else console.log(`kept ${base}`);
  }
}

function addArgs(tool: Tool, targets: string[]): string[] {
  return tool === "dvc" ? ["add", ...targets] : ["data", "add", ...targets];
}

async function settle(tool: Tool, dir: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  status(tool, dir);
}

function status(tool: Tool, dir: string, withoutExtraCaCerts = false): number {
  return run(tool, dir, tool === "dvc" ? ["status"] : ["data", "status"], { withoutExtraCaCerts });
}

await main();
