/**
 * examples/pseudo-labeling end to end, as a user's project that depends on flowops runs it: `flowops repro`
 * (bin/flowops.js in a child process) runs prepare, teacher, the `label` stage (`npx --no flowops predict`, npm
 * kept offline) and student. The checks read the files the stages wrote, and the pipeline's reruns after a
 * threshold change and after a teacher change. The steps build on each other, in order.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openTable } from "../src/tables/openTable.js";
import type { CellValue } from "../src/tables/tableChunk.js";
import {
  CHECKOUT,
  createPseudoLabelingWorkspace,
  offlineStageEnv,
} from "./support/pseudoLabelingWorkspace.js";

interface ReproJson {
  ok: boolean;
  stages: { name: string; outcome: string }[];
}

interface StudentMetrics {
  teacher_test_accuracy: number;
  student_test_accuracy: number;
  labeled_rows: number;
  pseudo_labels: number;
  unlabeled_rows: number;
  threshold: number;
}

const PREDICTIONS = ["probabilities_0", "probabilities_1", "label"];

let dir: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-pseudo-labeling-"));
  root = join(dir, "project");
  await createPseudoLabelingWorkspace(root);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `flowops repro --json`: each stage's outcome by name, and the stages' own output (stderr with --json). */
function repro(): { outcomes: Record<string, string>; log: string } {
  const run = spawnSync(process.execPath, [join(CHECKOUT, "bin", "flowops.js"), "repro", "--json"], {
    cwd: root,
    encoding: "utf8",
    env: offlineStageEnv(join(dir, "home")),
    timeout: 60_000,
  });
  const log = `${run.stdout}\n${run.stderr}`;
  expect(run.status, log).toBe(0);
  const result = JSON.parse(run.stdout) as ReproJson;
  expect(result.ok, log).toBe(true);
  return { outcomes: Object.fromEntries(result.stages.map((s) => [s.name, s.outcome])), log };
}

async function readColumns(path: string, names: readonly string[]): Promise<CellValue[][]> {
  const columns = names.map((): CellValue[] => []);
  for await (const chunk of openTable(path, { columns: names }).chunks()) {
    names.forEach((name, c) => columns[c]?.push(...chunk.column(name)));
  }
  return columns;
}

/** The pseudo-labels whose predicted class has at least `threshold` probability, counted from the file. */
async function confidentRows(threshold: number): Promise<number> {
  const [p0 = [], p1 = []] = await readColumns(join(root, "data", "pseudo.parquet"), PREDICTIONS);
  return p0.filter((p, i) => Math.max(Number(p), Number(p1[i])) >= threshold).length;
}

async function studentMetrics(): Promise<StudentMetrics> {
  return JSON.parse(await readFile(join(root, "metrics", "student.json"), "utf8")) as StudentMetrics;
}

async function editParams(from: string, to: string): Promise<void> {
  const path = join(root, "params.yaml");
  const text = await readFile(path, "utf8");
  expect(text).toContain(from);
  await writeFile(path, text.replace(from, to));
}

// A repro starts Node processes for four stages: seconds each on 2 busy cores, beyond the default 30 s in all.
describe("examples/pseudo-labeling under flowops repro", { timeout: 60_000 }, () => {
  it("runs every stage, the label stage through flowops predict found in node_modules/.bin", () => {
    const { outcomes, log } = repro();
    expect(outcomes).toEqual({ prepare: "ran", teacher: "ran", label: "ran", student: "ran" });
    expect(log).toMatch(
      /\[label\] Wrote 20000 rows with probabilities_0, probabilities_1, label to data\/pseudo\.parquet/,
    );
  });

  it("writes a prediction for every unlabeled row and leaves no parts or lock beside the output", async () => {
    const [ids = []] = await readColumns(join(root, "data", "unlabeled.parquet"), ["customer_id"]);
    const [p0 = [], p1 = [], label = [], predictedIds = []] = await readColumns(
      join(root, "data", "pseudo.parquet"),
      [...PREDICTIONS, "customer_id"],
    );
    expect(ids.length).toBe(20_000);
    expect(predictedIds).toEqual(ids);
    for (let i = 0; i < ids.length; i++) {
      const [zero, one] = [Number(p0[i]), Number(p1[i])];
      expect(zero + one).toBeCloseTo(1, 5);
      expect(label[i]).toBe(one > zero ? 1 : 0);
    }
    expect(existsSync(join(root, "data", "pseudo.parquet.parts"))).toBe(false);
    expect(existsSync(join(root, "data", "pseudo.parquet.lock"))).toBe(false);
  });

  it("trains the student on the labeled rows and the pseudo-labels over the threshold", async () => {
    const metrics = await studentMetrics();
    const confident = await confidentRows(0.9);
    expect(metrics.threshold).toBe(0.9);
    expect(metrics.pseudo_labels).toBe(confident);
    // The threshold must select: some pseudo-labels in, some out.
    expect(confident).toBeGreaterThan(0);
    expect(confident).toBeLessThan(20_000);
    expect(metrics.labeled_rows).toBe(200);
    const teacher = JSON.parse(await readFile(join(root, "metrics", "teacher.json"), "utf8")) as {
      test_accuracy: number;
    };
    expect(metrics.teacher_test_accuracy).toBe(teacher.test_accuracy);
    expect(metrics.student_test_accuracy).toBeGreaterThan(0.75);
    expect(existsSync(join(root, "student", "model.onnx"))).toBe(true);
  });

  it("changes nothing on a second repro", async () => {
    const lock = await readFile(join(root, "dvc.lock"), "utf8");
    const { outcomes } = repro();
    expect(outcomes).toEqual({
      prepare: "skipped",
      teacher: "skipped",
      label: "skipped",
      student: "skipped",
    });
    expect(await readFile(join(root, "dvc.lock"), "utf8")).toBe(lock);
  });

  it("reruns only the student when the threshold changes", async () => {
    const before = await studentMetrics();
    await editParams("threshold: 0.9", "threshold: 0.75");
    const { outcomes } = repro();
    expect(outcomes).toEqual({ prepare: "skipped", teacher: "skipped", label: "skipped", student: "ran" });
    const after = await studentMetrics();
    expect(after.threshold).toBe(0.75);
    expect(after.pseudo_labels).toBe(await confidentRows(0.75));
    expect(after.pseudo_labels).toBeGreaterThan(before.pseudo_labels);
  });

  it("reruns the teacher, the label stage and the student when a teacher param changes", async () => {
    const predictions = await readFile(join(root, "data", "pseudo.parquet"));
    await editParams("epochs: 60", "epochs: 45");
    const { outcomes, log } = repro();
    expect(outcomes).toEqual({ prepare: "skipped", teacher: "ran", label: "ran", student: "ran" });
    expect(log).toContain("[label] Wrote 20000 rows");
    expect((await readFile(join(root, "data", "pseudo.parquet"))).equals(predictions)).toBe(false);
    expect((await studentMetrics()).pseudo_labels).toBe(await confidentRows(0.75));
  });
});
