/**
 * MD5 in memory on one core: OpenSSL on one 1 MiB buffer at a time against FlowOps' SIMD module on four at
 * once (src/data/md5LanesModule.ts), side by side, medians of `repeats` rounds of 64 MiB each. What the
 * lanes can give small-file hashing before files, reads and start-up take their share.
 *
 *   node --import tsx bench/data/md5LanesThroughput.ts [repeats]
 */
import { createHash } from "node:crypto";
import { LANE_STATE_BYTES, MD5_LANES, md5LanesModuleBytes } from "../../src/data/md5LanesModule.js";

const MiB = 1 << 20;
const ROUND_MIB = 64;
const repeats = Number(process.argv[2] ?? "7");

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function mibPerSecond(run: () => void): number {
  const start = performance.now();
  run();
  return ROUND_MIB / ((performance.now() - start) / 1000);
}

const buffer = Buffer.alloc(MiB, 7);
const openssl = () => {
  for (let i = 0; i < ROUND_MIB; i++) createHash("md5").update(buffer).digest();
};

const table = LANE_STATE_BYTES;
const regions = 4096;
const instance = new wasm.Instance(
  new wasm.Module(md5LanesModuleBytes(Math.ceil((regions + 4 * MiB) / 65536))),
);
const compress = instance.exports.md5 as (state: number, lanes: number, blocks: number) => void;
const view = new DataView((instance.exports.memory as { buffer: ArrayBuffer }).buffer);
for (let lane = 0; lane < MD5_LANES; lane++) view.setUint32(table + 4 * lane, regions + lane * MiB, true);
const lanes = () => {
  for (let i = 0; i < ROUND_MIB / MD5_LANES; i++) compress(0, table, MiB / 64);
};

// One untimed round each: V8 compiles the module's function again, optimised, after its first calls.
openssl();
lanes();
const results = { openssl: [] as number[], lanes: [] as number[] };
for (let i = 0; i < repeats; i++) {
  results.openssl.push(mibPerSecond(openssl));
  results.lanes.push(mibPerSecond(lanes));
}
const opensslMedian = median(results.openssl);
const lanesMedian = median(results.lanes);
console.log(
  JSON.stringify({
    opensslMiBPerSecond: Math.round(opensslMedian),
    lanesMiBPerSecond: Math.round(lanesMedian),
    ratio: Number((lanesMedian / opensslMedian).toFixed(2)),
  }),
);
