/**
 * Seeded fuzzing of how the dvc-compatible commands read damaged DVC files: a small valid workspace (built by
 * `data add` and `repro`, see dvcFilesFuzzFixtures.ts) has one of its `.dvc` files, dvc.yaml, dvc.lock,
 * params.yaml, .dvcignore or .dvc/config damaged per case, and `data status`, `repro --dry`, `dag`, `data ls`
 * and `data checkout` run on it in process, as `flowops` runs them. Each must succeed or fail with a
 * FlowOpsError naming the damaged file (and its line for a YAML syntax or encoding fault), within 5 s and
 * without a jump in memory, and leave the workspace as it was (checkout may only restore tracked outputs,
 * or outputs the damaged file still validly declares).
 * A failure prints its seed: FUZZ_SEED=<seed> reruns that case alone, FUZZ_CASES=<n> runs more cases.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../cli/main.js";
import { buildProgram } from "../cli/program.js";
import { closeDataRepo, initDataRepo } from "../data/dataRepo.js";
import { FlowOpsError } from "../errors.js";
import { SeededRandom } from "../seededRandom.js";
import {
  DAMAGEABLE,
  DVCIGNORE,
  DVC_CONFIG,
  DVC_YAML,
  PARAMS_YAML,
  damage,
  type Damage,
} from "./dvcFilesFuzzFixtures.js";

const CASES = Number(process.env.FUZZ_CASES ?? 40);
const ONLY_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const FIRST_SEED = 7100;
const HANG_MS = 5_000;
/** Growth of the heap over a case that means an expansion went unchecked; a case needs a few MB. */
const MAX_HEAP_GROWTH = 256 * 1024 * 1024;
const COMMAND_LINES = [
  ["data", "status"],
  ["repro", "--dry"],
  ["dag"],
  ["data", "ls"],
  ["data", "checkout"],
] as const;
/** What checkout may legitimately write: the tracked outputs of the workspace. */
const TRACKED_OUTPUT = /^(data\.txt|images\/.*|prepared\.txt|model-\w+\.txt|metrics-\w+\.json)$/;

let root: string;
let template: string;
let previousCwd: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "flowops-dvc-files-fuzz-"));
  template = join(root, "template");
  await mkdir(join(template, "images"), { recursive: true });
  closeDataRepo(await initDataRepo(template, { noScm: true }));
  await writeFile(join(template, "data.txt"), "hello\n");
  await writeFile(join(template, "images", "a.txt"), "a\n");
  await writeFile(join(template, "images", "b.txt"), "b\n");
  await writeFile(join(template, "params.yaml"), PARAMS_YAML);
  await writeFile(join(template, "dvc.yaml"), DVC_YAML);
  await writeFile(join(template, ".dvcignore"), DVCIGNORE);
  await writeFile(join(template, ".dvc", "config"), DVC_CONFIG);
  previousCwd = process.cwd();
  process.chdir(template);
  const quiet = silence();
  try {
    await flowops(["data", "add", "data.txt", "images"]);
    await flowops(["repro"]);
  } finally {
    quiet.restore();
    process.chdir(previousCwd);
  }
  expect(process.exitCode ?? 0).toBe(0);
});

afterAll(async () => {
  process.chdir(previousCwd);
  await rm(root, { recursive: true, force: true });
});

function silence(): { output: () => string; restore: () => void } {
  let output = "";
  const capture = (chunk: unknown): boolean => ((output += String(chunk)), true);
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture),
    vi.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  return { output: () => output, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

async function flowops(args: readonly string[]): Promise<void> {
  const argv = ["node", "flowops", ...args];
  const program = await buildProgram(COMMANDS, argv);
  await program.parseAsync(argv);
}

/** Every file under `dir` but dvc's scratch space (.dvc/tmp), with its bytes. */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split("\\").join("/");
    if (path.startsWith(".dvc/tmp/")) continue;
    files.set(path, await readFile(join(dir, path)));
  }
  return files;
}

interface CaseOutcome {
  error: unknown;
  output: string;
  elapsedMs: number;
  heapGrowth: number;
}

async function runCase(workspace: string, args: readonly string[]): Promise<CaseOutcome> {
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  process.chdir(workspace);
  process.exitCode = undefined;
  const quiet = silence();
  let error: unknown;
  try {
    await flowops(args);
  } catch (caught) {
    error = caught;
  } finally {
    quiet.restore();
    process.chdir(previousCwd);
    process.exitCode = undefined;
  }
  return {
    error,
    output: quiet.output(),
    elapsedMs: performance.now() - started,
    heapGrowth: process.memoryUsage().heapUsed - heapBefore,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function describeCase(seed: number, hurt: Damage, args: readonly string[]): string {
  return `seed ${seed} (FUZZ_SEED=${seed}): ${hurt.kind} of ${hurt.file}, flowops ${args.join(" ")}`;
}

async function fuzzCase(seed: number): Promise<void> {
  const rng = new SeededRandom(seed);
  const target = rng.pick(DAMAGEABLE);
  const workspace = join(root, `case-${seed}`);
  await cp(template, workspace, { recursive: true });
  const hurt = damage(rng, target.file, await readFile(join(workspace, target.file)));
  await writeFile(join(workspace, target.file), hurt.bytes);
  const args = rng.pick(COMMAND_LINES);
  const what = describeCase(seed, hurt, args);
  const before = await snapshot(workspace);
  const outcome = await runCase(workspace, args);

  const { error } = outcome;
  if (error !== undefined) {
    if (!(error instanceof FlowOpsError))
      throw new Error(`${what}: threw ${String(error)}`, { cause: error });
    const named = target.named.filter((name) => error.message.includes(name));
    expect(named, `${what}: ${error.message}`).not.toEqual([]);
    const syntaxFault = /invalid YAML|not valid UTF-8/.test(error.message);
    if (hurt.lineExpected && syntaxFault) {
      expect(error.message, what).toMatch(new RegExp(`${escapeRegExp(hurt.file)}:\\d+: `));
    }
  }
  expect(outcome.output, what).not.toMatch(/TypeError|RangeError|ReferenceError|Cannot read propert/);
  expect(outcome.elapsedMs, what).toBeLessThan(HANG_MS);
  expect(outcome.heapGrowth, what).toBeLessThan(MAX_HEAP_GROWTH);

  const after = await snapshot(workspace);
  const mayWrite = args[1] === "checkout" ? TRACKED_OUTPUT : undefined;
  for (const [path, bytes] of before) {
    if (mayWrite?.test(path) === true) continue;
    expect(after.get(path)?.equals(bytes), `${what}: ${path} changed or removed`).toBe(true);
  }
  // A damaged path that still parses (`path: i` cut from `path: images`) is an output checkout may restore;
  // a U+FFFD in its name means a byte was misread rather than refused.
  const declaresOutputs = /\.dvc$|^dvc\.(yaml|lock)$/.test(hurt.file);
  const mayCreate = args[1] === "checkout" && error === undefined && declaresOutputs;
  for (const path of after.keys()) {
    if (before.has(path) || mayWrite?.test(path) === true) continue;
    if (mayCreate && !path.includes("\uFFFD")) continue;
    throw new Error(`${what}: wrote ${path}`);
  }
  await rm(workspace, { recursive: true, force: true });
}

describe("damaged DVC files", () => {
  const seeds =
    ONLY_SEED === undefined ? Array.from({ length: CASES }, (_, i) => FIRST_SEED + i) : [ONLY_SEED];
  it(
    `end in success or a FlowOpsError naming the damaged file, in time, leaving the workspace as it was (${seeds.length} cases)`,
    async () => {
      for (const seed of seeds) await fuzzCase(seed);
    },
    Math.max(60_000, seeds.length * HANG_MS),
  );
});
