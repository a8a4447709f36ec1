/**
 * What hashing many small files one at a time with OpenSSL can reach on this machine with nothing else in the
 * way: the files are listed first (untimed), then `threads` worker threads each hash a share with the loop
 * FlowOps' hash worker used before it hashed four files at a time in SIMD lanes (blocking open, 1 MiB reads,
 * md5, fstat, close). Timed from the workers' start to the last one's answer. No
 * process start, walk, state or manifest, so the whole command's throughput can be read against it: the gap
 * between this and md5 in memory is the files' own cost (syscalls, page-cache copies, both cores at once).
 * Prints one JSON line: { mibPerSecond }.
 *
 *   node --import tsx bench/data/fileHashCeiling.ts DIR THREADS
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

const READ_BYTES = 1 << 20;

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

function hashFiles(paths: readonly string[]): number {
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let bytes = 0;
  for (const path of paths) {
    const fd = openSync(path, "r");
    try {
      const hash = createHash("md5");
      for (;;) {
        const read = readSync(fd, buffer, 0, READ_BYTES, null);
        if (read === 0) break;
        hash.update(buffer.subarray(0, read));
        bytes += read;
      }
      hash.digest("hex");
      fstatSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return bytes;
}

/**
 * The worker's code: hashFiles as plain JavaScript (tsx compiled it; its source text has no types left), since
 * Node 20 does not pass tsx's loader on to a worker thread.
 */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { closeSync, fstatSync, openSync, readSync } = require("node:fs");
const READ_BYTES = ${READ_BYTES};
${hashFiles.toString()}
parentPort.postMessage(${hashFiles.name}(workerData));
`;

{
  const [dir, threadsArgument] = process.argv.slice(2);
  if (dir === undefined) throw new Error("usage: fileHashCeiling.ts DIR THREADS");
  const threads = Number(threadsArgument ?? 2);
  const files = listFiles(dir);
  const started = performance.now();
  const shares = Array.from({ length: threads }, (_, t) => files.filter((_, i) => i % threads === t));
  const bytes = await Promise.all(
    shares.map(
      (share) =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(workerSource, { eval: true, workerData: share });
          worker.once("message", (hashed: number) => {
            resolve(hashed);
            void worker.terminate();
          });
          worker.once("error", reject);
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const total = bytes.reduce((sum, b) => sum + b, 0);
  process.stdout.write(`${JSON.stringify({ mibPerSecond: total / (1 << 20) / seconds })}\n`);
}
