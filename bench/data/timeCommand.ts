/**
 * Times one command many times in a row and prints the median and the fastest run: for start-up changes too
 * small for bench/data/run.ts to show through its noise. Not a test: nothing here asserts on time.
 *
 *   node --import tsx bench/data/timeCommand.ts [--runs 21] [--cwd DIR] [--without-extra-ca-certs] -- CMD ARGS...
 *
 * Several commands separated by `---` are run in turn, one run of each per round, so a build before and
 * after a change meet the same noise (this VM's speed drifts by tens of percent within minutes):
 *
 *   ... -- node /tmp/before/bin/flowops.js data status --- node /tmp/after/bin/flowops.js data status
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
const commands: string[][] = [[]];
for (const word of positionals) {
  if (word === "---") commands.push([]);
  else commands.at(-1)!.push(word);
}
if (commands.some((command) => command.length === 0)) throw new Error("give each command after --");
const env = { ...process.env };
if (values["without-extra-ca-certs"]) delete env.NODE_EXTRA_CA_CERTS;

const times = commands.map((): number[] => []);
for (let i = 0; i < Number(values.runs); i++) {
  commands.forEach(([command, ...args], index) => {
    const started = performance.now();
    const result = spawnSync(command!, args, { cwd: values.cwd, env });
    times[index]!.push(performance.now() - started);
    if (result.status !== 0) {
      throw new Error(`${[command, ...args].join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
    }
  });
}
commands.forEach((command, index) => {
  const sorted = [...times[index]!].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  console.log(
    `${command.join(" ")}: median ${median.toFixed(1)} ms, fastest ${(sorted[0] ?? Number.NaN).toFixed(1)} ms over ${sorted.length} runs`,
  );
});
