/**
 * What the tracking server's JSON body checks cost against `JSON.parse` alone, on a log-batch body of 1000
 * metrics: the UTF-8 check, the byte order mark, Python's NaN literals (only after JSON.parse fails) and the
 * lone-surrogate walk (only when the text holds a \u escape). Not a test: it prints medians, asserts nothing.
 *
 *   node --import tsx bench/tracking/bodyParse.ts [--rounds 9] [--parses 1000]
 */
import { isUtf8 } from "node:buffer";
import { parseArgs } from "node:util";
import { loneSurrogateIn, parseJsonBody } from "../../src/server/wire.js";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "9" }, parses: { type: "string", default: "1000" } },
});
const rounds = Number(values.rounds);
const parses = Number(values.parses);

const metrics = Array.from({ length: 1000 }, (_, i) => ({
  key: `loss_${i % 10}`,
  value: Math.random(),
  timestamp: 1_733_400_000_000 + i,
  step: i,
}));
const body = Buffer.from(JSON.stringify({ run_id: "a".repeat(32), metrics }));

const parsers: Record<string, (bytes: Buffer) => unknown> = {
  "JSON.parse alone": (bytes) => JSON.parse(bytes.toString("utf8")),
  "server's checks": (bytes) => {
    if (!isUtf8(bytes)) throw new Error("not UTF-8");
    const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
    const parsed = parseJsonBody(text);
    loneSurrogateIn(text, parsed);
    return parsed;
  },
};

const times = new Map<string, number[]>(Object.keys(parsers).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  // Alternating, so both see the same background load.
  for (const [name, parse] of Object.entries(parsers)) {
    const started = performance.now();
    for (let i = 0; i < parses; i++) parse(body);
    times.get(name)?.push(((performance.now() - started) / parses) * 1000);
  }
}
const median = (list: number[]): number =>
  [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
const [base, checked] = [...times.values()].map(median);
for (const [name, list] of times)
  console.log(`${name}: median ${median(list).toFixed(1)} us per ${body.length}-byte body`);
console.log(`ratio (checks / JSON.parse): ${((checked ?? NaN) / (base ?? NaN)).toFixed(2)}`);
