/**
 * Times one command many times in a row and prints the median and the fastest run: for start-up changes too
 * small for bench/data/run.ts to show through its noise. Not a test: nothing here asserts on time.
 *
 *   node --import tsx bench/data/timeCommand.ts [--runs 21] [--cwd DIR] [--without-extra-ca-certs] -- CMD ARGS...
 *
 * `--without-extra-ca-certs` unsets NODE_EXTRA_CA_CERTS for the command (see bench/data/run.ts for why).
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: "string", default: "21" },
    cwd: { type: "string", default: process.cwd() },
    "without-extra-ca-certs": { type: "boolean", default: false },
  },
});
const [command, ...args] = positionals;
if (command === undefined) throw new Error("give the command after --");
const env = { ...process.env };
if (values["without-extra-ca-certs"]) delete env.NODE_EXTRA_CA_CERTS;

const times: number[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: values.cwd, env });
  times.push(performance.now() - started);
  if (result.status !== 0) {
    throw new Error(`${positionals.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  }
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
console.log(
  `${positionals.join(" ")}: median ${median.toFixed(1)} ms, fastest ${(times[0] ?? Number.NaN).toFixed(1)} ms over ${times.length} runs`,
);
