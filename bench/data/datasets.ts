/**
 * Generates the benchmark's inputs once per run: many small files, one large file, and a 20-stage pipeline.
 * Contents are random bytes, so every file is distinct and no tool can deduplicate its way out of hashing.
 */
import { randomFillSync } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

function pseudoRandom(size: number): Buffer {
  return randomFillSync(Buffer.allocUnsafe(size));
}

export async function writeManyFiles(dir: string, count: number, totalBytes: number): Promise<void> {
  const perFile = Math.floor(totalBytes / count);
  for (let i = 0; i < count; i += 100) {
    const sub = join(dir, `part-${String(Math.floor(i / 1000)).padStart(3, "0")}`);
    await mkdir(sub, { recursive: true });
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) =>
        writeFile(join(sub, `sample-${String(i + j).padStart(6, "0")}.bin`), pseudoRandom(perFile)),
      ),
    );
  }
}

export async function writeLargeFile(path: string, bytes: number): Promise<void> {
  const chunk = 64 * 1024 * 1024;
  const { open } = await import("node:fs/promises");
  const handle = await open(path, "w");
  try {
    for (let offset = 0; offset < bytes; offset += chunk) {
      await handle.write(pseudoRandom(Math.min(chunk, bytes - offset)));
    }
  } finally {
    await handle.close();
  }
}

/** Twenty stages in a fan-out/fan-in shape: each reads a small input and params, writes one output. */
export async function writePipeline(dir: string, stages: number): Promise<void> {
  await mkdir(join(dir, "inputs"), { recursive: true });
  const lines = ["stages:"];
  for (let i = 0; i < stages; i++) {
    const name = `s${String(i).padStart(2, "0")}`;
    await writeFile(join(dir, "inputs", `${name}.txt`), pseudoRandom(256 * 1024));
    const upstream = i === 0 ? [] : [`out/s${String(Math.floor((i - 1) / 2)).padStart(2, "0")}.txt`];
    lines.push(
      `  ${name}:`,
      `    cmd: mkdir -p out && cat inputs/${name}.txt ${upstream.join(" ")} > out/${name}.txt`,
      "    deps:",
      `    - inputs/${name}.txt`,
      ...upstream.map((dep) => `    - ${dep}`),
      "    params:",
      "    - seed",
      "    outs:",
      `    - out/${name}.txt`,
    );
  }
  await writeFile(join(dir, "dvc.yaml"), `${lines.join("\n")}\n`);
  await writeFile(join(dir, "params.yaml"), "seed: 42\n");
}
