/**
 * The valid requests the request fuzz test mutates: every protocol of the model server (KServe V2 JSON and
 * binary, KServe V1, MLflow /invocations in JSON and CSV, the GET endpoints) against each kind of model it
 * serves. Each seed is answered 200 as it stands, which the fuzz test checks before mutating any.
 * Test-only; nothing in the product imports it.
 */

/** The servers the fuzz test starts: `main` serves mlp (its default), pair and echo; the others one model each. */
export type FuzzServer = "main" | "pair" | "echo";

export type FuzzSeed =
  | { kind: "json"; server: FuzzServer; path: string; value: Record<string, unknown> }
  | { kind: "csv"; server: FuzzServer; path: string; text: string }
  /** A V2 binary body: the JSON header, then each chunk of tensor bytes in input order. */
  | { kind: "binary"; server: FuzzServer; path: string; header: Record<string, unknown>; chunks: Buffer[] }
  | { kind: "get"; server: FuzzServer; path: string };

const ROWS = [
  [0.5, -1.25, 3, 0.75],
  [1, 2, -0.5, 0],
];
const RECORDS = ROWS.map((row) => ({ a: row[0], b: row[1], c: row[2], d: row[3] }));

function fp32Bytes(values: readonly number[]): Buffer {
  return Buffer.from(Float32Array.from(values).buffer);
}

function int64Bytes(values: readonly bigint[]): Buffer {
  return Buffer.from(BigInt64Array.from(values).buffer);
}

function bytesElements(values: readonly string[]): Buffer {
  return Buffer.concat(
    values.flatMap((value) => {
      const text = Buffer.from(value, "utf8");
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(text.length, 0);
      return [prefix, text];
    }),
  );
}

const v2 = (server: FuzzServer, path: string, value: Record<string, unknown>): FuzzSeed => ({
  kind: "json",
  server,
  path,
  value,
});

export const FUZZ_SEEDS: readonly FuzzSeed[] = [
  v2("main", "/v2/models/mlp/infer", {
    id: "req-1",
    inputs: [{ name: "input", shape: [2, 4], datatype: "FP32", data: ROWS.flat() }],
  }),
  v2("main", "/v2/models/mlp/versions/1/infer", {
    inputs: [{ name: "input", shape: [2, 4], datatype: "FP32", data: ROWS }],
    outputs: [{ name: "label" }, { name: "probabilities", parameters: { binary_data: false } }],
    parameters: { binary_data_output: false },
  }),
  v2("main", "/v2/models/pair/infer", {
    inputs: [
      { name: "ids", shape: [3], datatype: "INT64", data: [1, 2, 4] },
      { name: "w", shape: [3], datatype: "FP32", data: [0.5, 1, 2] },
    ],
  }),
  v2("main", "/v2/models/echo/infer", {
    inputs: [{ name: "t", shape: [2, 2], datatype: "BYTES", data: ["a", "b", "c", "é"] }],
  }),
  v2("main", "/v2/models/echo/versions/1/infer", {
    inputs: [{ name: "flags", shape: [3], datatype: "BOOL", data: [true, false, true] }],
  }),
  {
    kind: "binary",
    server: "main",
    path: "/v2/models/mlp/infer",
    header: {
      inputs: [{ name: "input", shape: [1, 4], datatype: "FP32", parameters: { binary_data_size: 16 } }],
      outputs: [{ name: "probabilities", parameters: { binary_data: true } }, { name: "label" }],
    },
    chunks: [fp32Bytes(ROWS[0] as number[])],
  },
  {
    kind: "binary",
    server: "main",
    path: "/v2/models/pair/versions/1/infer",
    header: {
      id: "bin-2",
      inputs: [
        { name: "ids", shape: [2], datatype: "INT64", parameters: { binary_data_size: 16 } },
        { name: "w", shape: [2], datatype: "FP32", data: [0.25, 4] },
      ],
      parameters: { binary_data_output: true },
    },
    chunks: [int64Bytes([3n, -7n])],
  },
  {
    kind: "binary",
    server: "main",
    path: "/v2/models/echo/infer",
    header: {
      inputs: [
        { name: "t", shape: [2], datatype: "BYTES", parameters: { binary_data_size: 12 } },
        { name: "n", shape: [1], datatype: "FP32", parameters: { binary_data_size: 4 } },
      ],
    },
    chunks: [bytesElements(["hi", "é"]), fp32Bytes([1.5])],
  },
  v2("main", "/v1/models/mlp:predict", { instances: ROWS }),
  v2("main", "/v1/models/mlp:predict", { instances: RECORDS }),
  v2("main", "/v1/models/pair:predict", { inputs: { ids: [1, 2], w: [0.5, 1.5] } }),
  v2("main", "/v1/models/echo:predict", { instances: [1.0, 2.5] }),
  v2("main", "/invocations", { dataframe_split: { columns: ["a", "b", "c", "d"], data: ROWS } }),
  v2("main", "/invocations", { dataframe_records: RECORDS }),
  v2("main", "/invocations", { instances: ROWS }),
  v2("main", "/invocations", { inputs: { input: ROWS } }),
  { kind: "csv", server: "main", path: "/invocations", text: "a,b,c,d\n0.5,-1.25,3,0.75\n1,2,-0.5,0\n" },
  v2("pair", "/invocations", {
    dataframe_records: [
      { ids: 1, w: 0.5 },
      { ids: 2, w: 1.5 },
    ],
  }),
  v2("pair", "/invocations", { inputs: { ids: [1, 2], w: [0.5, 1.5] } }),
  { kind: "csv", server: "pair", path: "/invocations", text: "ids,w\r\n1,0.5\r\n2,1.5\r\n" },
  v2("echo", "/invocations", {
    dataframe_split: {
      columns: ["x", "y"],
      data: [
        [1, "a"],
        [2, "b"],
      ],
      index: [0, 1],
    },
  }),
  v2("echo", "/invocations", {
    instances: [
      [1, 2],
      [3, 4],
    ],
    params: { k: 1 },
  }),
  v2("echo", "/invocations", { inputs: { x: [1.0, 2.0] } }),
  v2("echo", "/invocations", {
    dataframe_records: [
      { x: 1, y: "a" },
      { y: "z", x: 2 },
    ],
  }),
  { kind: "csv", server: "echo", path: "/invocations", text: 'x,y\n1,a\n2.5,"b, c"\n' },
  { kind: "get", server: "main", path: "/v2/models/mlp" },
  { kind: "get", server: "main", path: "/v2/models/pair/versions/1/ready" },
  { kind: "get", server: "main", path: "/v1/models/echo" },
  { kind: "get", server: "main", path: "/v2/health/ready" },
  { kind: "get", server: "main", path: "/ping" },
];
