/**
 * Issue 7: a `flowops repro --tracking-uri <server>` run from a shell shows on that server's `/metrics`. The
 * server runs in-process; the repro goes through the CLI's own entry point against its URL, on a pipeline of
 * two echo stages: run, repeated unchanged (cached), then with its second stage failing.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { closeDataRepo, initDataRepo } from "../../src/data/dataRepo.js";
import { startServer, type RunningServer } from "../../src/server/start.js";

let dir: string;
let server: RunningServer;
let exitCodes: number[];
let exposition: string;
const previousHome = process.env.FLOWOPS_HOME;

function pipelineYaml(shoutCmd: string): string {
  return `stages:
  hello:
    cmd: echo hello > hello.txt
    outs: [hello.txt]
  shout:
    cmd: ${shoutCmd}
    deps: [hello.txt]
    outs: [shout.txt]
`;
}

/** `flowops repro --tracking-uri <server>` in the repository, as a shell would run it. */
async function reproFromShell(): Promise<number> {
  const cwd = process.cwd();
  let output = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  try {
    process.chdir(dir);
    return await main(["node", "flowops", "repro", "--tracking-uri", server.url]);
  } catch (error) {
    throw new Error(`flowops repro threw; its output:\n${output}`, { cause: error });
  } finally {
    process.chdir(cwd);
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = new Map([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-shell-repro-metrics-"));
  process.env.FLOWOPS_HOME = join(dir, "home");
  server = await startServer({ port: 0 }, { logger: false });
  execFileSync("git", ["init", "-q"], { cwd: dir });
  await writeFile(join(dir, "dvc.yaml"), pipelineYaml("echo loud > shout.txt"));
  closeDataRepo(await initDataRepo(dir));

  exitCodes = [await reproFromShell(), await reproFromShell()];
  await writeFile(join(dir, "dvc.yaml"), pipelineYaml("echo loud > shout.txt && exit 3"));
  exitCodes.push(await reproFromShell());
  const response = await fetch(`${server.url}/metrics`);
  exposition = await response.text();
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (previousHome === undefined) delete process.env.FLOWOPS_HOME;
  else process.env.FLOWOPS_HOME = previousHome;
  await rm(dir, { recursive: true, force: true });
});

describe("pipeline metrics of a repro run from a shell against the server", () => {
  it("runs twice successfully, then fails on the broken stage", () => {
    expect(exitCodes).toEqual([0, 0, 255]);
  });

  it("counts each pipeline run by the dvc.yaml it ran and its outcome", () => {
    const runs = (status: string) =>
      sample(exposition, "flowops_pipeline_runs_total", { pipeline: "dvc.yaml", status });
    expect(runs("succeeded")).toBe(2);
    expect(runs("failed")).toBe(1);
    const durations = (status: string) =>
      sample(exposition, "flowops_pipeline_duration_seconds_count", { pipeline: "dvc.yaml", status });
    expect(durations("succeeded")).toBe(2);
    expect(durations("failed")).toBe(1);
  });

  it("observes each stage's duration by pipeline, stage and outcome, cached stages apart", () => {
    const stages = (stage: string, status: string) =>
      sample(exposition, "flowops_stage_duration_seconds_count", { pipeline: "dvc.yaml", stage, status });
    expect(stages("hello", "succeeded")).toBe(1);
    expect(stages("hello", "cached")).toBe(2);
    expect(stages("shout", "succeeded")).toBe(1);
    expect(stages("shout", "cached")).toBe(1);
    expect(stages("shout", "failed")).toBe(1);
  });

  it("records a stage's wall time from its run's start and end", () => {
    const sum = sample(exposition, "flowops_stage_duration_seconds_sum", {
      pipeline: "dvc.yaml",
      stage: "hello",
      status: "succeeded",
    });
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(60);
  });
});
