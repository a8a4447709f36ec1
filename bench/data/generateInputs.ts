/**
 * Writes bench/data/run.ts's inputs in a process of its own. Generating 1 GiB of random files leaves the
 * generating process holding hundreds of MiB (the allocator keeps freed buffers), and every command a big
 * process starts costs more: fork copies its page tables, ~40 ms per GiB here, added alike to every timed run
 * of both tools, which hid part of the ratio. The timing process stays small by not generating anything.
 *
 *   node --import tsx bench/data/generateInputs.ts BASE FILES TOTAL_BYTES LARGE_BYTES STAGES
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeLargeFile, writeManyFiles, writePipeline } from "./datasets.js";

const [base, files, totalBytes, largeBytes, stages] = process.argv.slice(2);
if (stages === undefined)
  throw new Error("usage: generateInputs.ts BASE FILES TOTAL_BYTES LARGE_BYTES STAGES");
await writeManyFiles(join(base!, "src-many", "data"), Number(files), Number(totalBytes));
await mkdir(join(base!, "src-large"));
await writeLargeFile(join(base!, "src-large", "large.bin"), Number(largeBytes));
await writePipeline(join(base!, "src-pipeline"), Number(stages));
