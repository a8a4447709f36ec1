/**
 * Runs one benchmarked command as a child process under GNU time, so its wall time and its peak resident
 * memory (the child's own, not the runner's) are measured the same way for every tool.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export interface Measurement {
  seconds: number;
  peakRssMiB: number;
  stdout: string;
}

const GNU_TIME = "/usr/bin/time";

export function measure(command: string, args: readonly string[], scratchDir: string): Measurement {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing (apt-get install time)`);
  // GNU time writes to a file rather than stderr so that the tool's own stderr stays readable.
  const rssFile = join(scratchDir, "peak-rss-kib");
  const started = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ["-f", "%M", "-o", rssFile, command, ...args], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // flowops validate exits 1 when an expectation fails, which the benchmark's suite does on purpose.
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  const lines = readFileSync(rssFile, "utf8").trim().split("\n");
  rmSync(rssFile);
  const kib = Number(lines[lines.length - 1]);
  return { seconds, peakRssMiB: kib / 1024, stdout: result.stdout };
}
