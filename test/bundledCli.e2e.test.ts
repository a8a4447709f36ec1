/**
 * The commands that start worker threads, run from a CLI bundle as `npm ci` builds it (scripts/bundleCli.mjs):
 * a worker's module must sit beside the bundle's chunks, which no test of the sources can show. `flowops
 * drift` on tables large enough for its worker threads once failed only here. `data` and `repro` run from the
 * quick commands' CommonJS bundle (quick.cjs, through V8's code cache), whose workers are the split build's. The bundle is built into tmp/
 * inside the repository, so its external packages resolve from node_modules as dist/bundle's do.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { QUICK_COMMANDS } from "../src/cli/quickMain.js";
import { mlpOnnx } from "../src/serving/onnx/onnxModelWriter.js";
import { openTableWriter } from "../src/tables/openTableWriter.js";
import { mulberry32 } from "../src/seededRandom.js";

const repo = resolve(import.meta.dirname, "..");
let work: string;
let bundle: string;

beforeAll(async () => {
  await mkdir(join(repo, "tmp"), { recursive: true });
  work = await mkdtemp(join(repo, "tmp", "bundled-cli-"));
  bundle = join(work, "bundle");
  const built = spawnSync(process.execPath, ["scripts/bundleCli.mjs", bundle], {
    cwd: repo,
    encoding: "utf8",
  });
  expect(built.status, built.stderr).toBe(0);
  // bin/flowops.js's launch, pointed at this bundle: the quick commands from quick.cjs through the code cache
  // (run twice below, so the second run starts from the cache the first wrote), the rest from main.js.
  await writeFile(
    join(work, "flowops.mjs"),
    `import { loadCachedBundle } from ${JSON.stringify(join(repo, "bin", "loadCachedBundle.js"))};\n` +
      `const quick = ${JSON.stringify(QUICK_COMMANDS.map(([name]) => name))}.includes(process.argv[2]);\n` +
      "let main;\nlet afterRun = () => {};\n" +
      `if (quick) {\n  const loaded = loadCachedBundle(${JSON.stringify(join(bundle, "quick.cjs"))});\n` +
      "  main = loaded.exports.main;\n  afterRun = loaded.saveCache;\n" +
      `} else ({ main } = await import(${JSON.stringify(join(bundle, "main.js"))}));\n` +
      "process.exitCode = await main(process.argv);\nafterRun();\n",
  );
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function flowops(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(work, "flowops.mjs"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, FLOWOPS_HOME: join(work, "home") },
    maxBuffer: 16 << 20,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `rows` seeded normals in each of `columns` columns, the first `shifted` moved by one standard deviation. */
async function writeNormals(path: string, rows: number, columns: number, shifted: number, seed: number) {
  const random = mulberry32(seed);
  const names = Array.from({ length: columns }, (_, c) => `f${c}`);
  const writer = openTableWriter(path, "parquet", names);
  const batch: Record<string, Float64Array> = {};
  names.forEach((name, c) => {
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      values[i] =
        (c < shifted ? 1 : 0) + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    }
    batch[name] = values;
  });
  await writer.write(batch);
  await writer.close();
}

describe("the bundled flowops command", () => {
  it("runs drift on its worker threads (4M values and more) and exits 1 for dataset drift", async () => {
    // 2 x 100,000 rows x 20 columns: the 4,000,000 values at which detectDriftInParallel starts workers.
    await writeNormals(join(work, "reference.parquet"), 100_000, 20, 0, 1);
    await writeNormals(join(work, "current.parquet"), 100_000, 20, 12, 2);
    const run = flowops(
      work,
      ...["drift", "--reference", "reference.parquet", "--current", "current.parquet", "--json"],
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as {
      driftedColumns: number;
      columns: { column: string; drifted: boolean }[];
    };
    expect(report.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(
      Array.from({ length: 12 }, (_, c) => `f${c}`),
    );
  }, 120_000);

  it("finishes a repro whose output reader went away (`| head -1`) instead of dying of EPIPE", async () => {
    const project = join(work, "piped");
    await mkdir(project, { recursive: true });
    await writeFile(join(project, "dvc.yaml"), "stages:\n  many:\n    cmd: seq 1 200000 && touch done\n");
    expect(flowops(project, "data", "init", "--no-scm").status).toBe(0);
    const script = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(work, "flowops.mjs"))} repro | head -1; echo "rc=\${PIPESTATUS[0]}" >&2`;
    const run = spawnSync("bash", ["-c", script], { cwd: project, encoding: "utf8" });
    expect(run.stdout).toBe("Running stage 'many':\n");
    expect(run.stderr).not.toContain("EPIPE");
    expect(run.stderr).toContain("rc=0");
    expect(existsSync(join(project, "done"))).toBe(true);
  }, 120_000);

  it("hashes a directory on its worker threads in data add, then calls it up to date", async () => {
    const project = join(work, "project");
    await mkdir(join(project, "data"), { recursive: true });
    // More files than are hashed in-thread, so the hash pool starts its workers.
    for (let i = 0; i < 100; i++) await writeFile(join(project, "data", `f${i}.txt`), `file ${i}\n`);
    expect(flowops(project, "data", "init", "--no-scm").status).toBe(0);
    const added = flowops(project, "data", "add", "data");
    expect(added.stderr).not.toMatch(/Cannot find module|Error/);
    expect(added.status).toBe(0);
    const status = flowops(project, "data", "status");
    expect(status.status).toBe(0);
    expect(status.stdout).toContain("up to date");
    // The quick commands' code cache, written beside the bundle by the first of them that ran.
    expect(existsSync(join(bundle, "quick.cjs.cache"))).toBe(true);
  }, 120_000);

  it("loads neither crypto, readline nor child_process for an unchanged status of a file", async () => {
    const project = join(work, "one-file");
    await mkdir(project, { recursive: true });
    await writeFile(join(project, "data.txt"), "some data\n");
    expect(flowops(project, "data", "init", "--no-scm").status).toBe(0);
    expect(flowops(project, "data", "add", "data.txt").status).toBe(0);
    // Built-ins that scripts/bundleCli.mjs makes lazy in quick.cjs: an unchanged status has no use for them.
    const listFile = join(work, "modules.json");
    const hook = join(work, "list-modules.cjs");
    await writeFile(
      hook,
      `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(listFile)}, ` +
        "JSON.stringify(process.moduleLoadList)));\n",
    );
    const run = spawnSync(
      process.execPath,
      ["--require", hook, join(work, "flowops.mjs"), "data", "status"],
      {
        cwd: project,
        encoding: "utf8",
        env: { ...process.env, FLOWOPS_HOME: join(work, "home") },
      },
    );
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("up to date");
    const loaded = JSON.parse(await readFile(listFile, "utf8")) as string[];
    expect(loaded).toContain("NativeModule fs");
    for (const name of ["crypto", "readline", "child_process", "zlib"])
      expect(loaded, name).not.toContain(`NativeModule ${name}`);
  }, 60_000);

  it("predicts with an ONNX model on its worker threads", async () => {
    const modelDir = join(work, "model");
    await mkdir(modelDir);
    await writeFile(
      join(modelDir, "model.onnx"),
      mlpOnnx({ inputs: 4, hidden: 8, outputs: 3, seed: 3 }).bytes,
    );
    await writeFile(join(work, "input.csv"), "a,b,c,d\n1,2,3,4\n0.5,0.1,0.2,0.3\n");
    const run = flowops(
      work,
      ...["predict", modelDir, "--input", "input.csv", "--output", "output.csv", "--workers", "2", "--json"],
    );
    expect(run.stderr).not.toMatch(/Cannot find module/);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 2 });
  }, 120_000);
});
