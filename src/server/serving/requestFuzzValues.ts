/**
 * What the request fuzz test puts where a valid request had something else: JSON values written as raw text (so
 * they can be what JSON.stringify cannot write: NaN, 1e999, duplicate keys, lone surrogates), header values,
 * path segments and content types, and a small seeded random stream to pick among them.
 * Test-only; nothing in the product imports it.
 */
import { SeededRandom } from "../../seededRandom.js";

/** The fuzz test's seeded choices. */
export class FuzzRandom extends SeededRandom {}

const nested = (depth: number): string => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

/** JSON values as raw text. */
export const WEIRD_JSON: readonly string[] = [
  "null",
  "true",
  "false",
  "0",
  "-1",
  "1.5",
  "-0",
  "0.1e1",
  "1e308",
  "1e999",
  "-1e999",
  "NaN",
  "Infinity",
  "-Infinity",
  "9007199254740993",
  "18446744073709551616",
  "-9223372036854775809",
  "123456789012345678901234567890",
  "1".repeat(400),
  '""',
  '"x"',
  '"NaN"',
  '"1"',
  '" 2.5 "',
  '"inf"',
  '"True"',
  '"\\u0000"',
  '"\\ud800"',
  '"é😀\\n"',
  // A long numeric-looking cell: number parsing must stay linear in its length.
  `"${"1".repeat(40_000)}x"`,
  `"${"a".repeat(100_000)}"`,
  "[]",
  "{}",
  "[[]]",
  "[null]",
  "[[1,2],[3]]",
  "[1,[2]]",
  "[[1],[2,3]]",
  "[{}]",
  '["a",1]',
  "[true,false]",
  "[1e999]",
  "[NaN,1]",
  "[-1]",
  "[0]",
  "[4294967296]",
  "[0,1e308]",
  "[2,4]",
  `[${"0,".repeat(20_000)}0]`,
  nested(70),
  nested(100),
  nested(5000),
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":1}}',
  '{"toString":1,"hasOwnProperty":2}',
  '{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}',
  '{"a":1,"b":2,"c":3,"d":4}',
];

/** Keys added to objects, or given to an existing member in place of its name. */
export const EXTRA_KEYS: readonly string[] = [
  "inputs",
  "instances",
  "outputs",
  "parameters",
  "params",
  "id",
  "data",
  "shape",
  "datatype",
  "name",
  "columns",
  "index",
  "dataframe_split",
  "dataframe_records",
  "binary_data_size",
  "__proto__",
  "constructor",
  "toString",
  "",
  "é",
  "Inputs",
  "inputs\u0000",
];

/** Text fragments inserted at a random place of a JSON or CSV body. */
export const INSERTS: readonly string[] = [
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  '"',
  "\\",
  "\u0000",
  " ",
  "\n",
  "\r",
  "-",
  ".",
  "e",
  "9",
  "NaN",
  "\ufeff",
  "é",
  "\ud83d",
];

/** Number literals (some invalid JSON) put in place of one the body had. */
export const NUMBER_LITERALS: readonly string[] = [
  "NaN",
  "-NaN",
  "Infinity",
  "-Infinity",
  "1e999",
  "-1e-999",
  "00",
  "01",
  ".5",
  "1.",
  "+1",
  "0x10",
  "1_000",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775808",
  "18446744073709551615",
  "3.4028235e39",
  "1e-50",
  "4.0",
];

/** Invalid UTF-8 byte sequences: stray continuation, truncated lead, overlong, surrogate, beyond U+10FFFF. */
export const BAD_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc3]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe9]),
];

/**
 * Content types, and what MLflow's /invocations makes of each: the body's own format ("ok"), another of its
 * formats (read as that, "other"), or 415.
 */
export const CONTENT_TYPES: readonly { value: string | undefined; mlflow: "ok" | "other" | 415 }[] = [
  { value: undefined, mlflow: 415 },
  { value: "", mlflow: 415 },
  { value: "text/plain", mlflow: 415 },
  { value: "application/octet-stream", mlflow: 415 },
  { value: "application/x-www-form-urlencoded", mlflow: 415 },
  { value: "multipart/form-data; boundary=x", mlflow: 415 },
  { value: "application/json; charset=latin-1", mlflow: 415 },
  { value: "application/json; foo=bar", mlflow: 415 },
  { value: "text/csv; header=present", mlflow: 415 },
  { value: "application/json; charset=utf-16", mlflow: 415 },
  { value: "a/b/c", mlflow: 415 },
  { value: ";;;", mlflow: 415 },
  { value: "*/*", mlflow: 415 },
  { value: "application/jsonx", mlflow: 415 },
  { value: "APPLICATION/JSON", mlflow: "other" },
  { value: 'application/json; charset="UTF-8"', mlflow: "other" },
  { value: "application/json;charset=utf8", mlflow: "other" },
  { value: "text/csv", mlflow: "other" },
  { value: "text/csv; charset=utf-8", mlflow: "other" },
  { value: "application/json", mlflow: "other" },
  { value: "application/vnd.apache.parquet", mlflow: "other" },
];

export const REQUEST_IDS: readonly string[] = ["", " ", "x".repeat(2000), "é", "a, b", "\t"];

/** Model names in a path; `served` when the name decodes to one the server serves (`%6D` is "m"). */
export const NAME_VARIANTS: readonly { text: (name: string) => string; served: boolean | "bad-url" }[] = [
  { text: (name) => `%${name.charCodeAt(0).toString(16)}${name.slice(1)}`, served: true },
  { text: () => "nope", served: false },
  { text: (name) => name.toUpperCase(), served: false },
  { text: (name) => `${name}%20`, served: false },
  { text: (name) => `${name}%2Finfer`, served: false },
  { text: (name) => `${name}%00`, served: false },
  { text: () => "%C3%A9", served: false },
  { text: () => "__proto__", served: false },
  { text: () => "constructor", served: false },
  { text: () => "hasOwnProperty", served: false },
  { text: () => "x".repeat(600), served: false },
  { text: () => "..", served: false },
  { text: () => "%ZZ", served: "bad-url" },
  { text: () => "%", served: "bad-url" },
  { text: () => "%FF", served: "bad-url" },
  { text: () => "%E9", served: "bad-url" },
];

export const VERSION_VARIANTS: readonly { text: string; served: boolean | "bad-url" }[] = [
  { text: "%31", served: true },
  { text: "2", served: false },
  { text: "01", served: false },
  { text: "1.0", served: false },
  { text: "-1", served: false },
  { text: "latest", served: false },
  { text: "1%2F", served: false },
  { text: "%", served: "bad-url" },
  { text: "%FF", served: "bad-url" },
];

export const VERBS: readonly string[] = [":explain", "", ":", ":PREDICT", ":predict:predict", ":predict%00"];

export const PATH_SUFFIXES: readonly { text: string; ok: boolean }[] = [
  { text: "?x=1", ok: true },
  { text: "?", ok: true },
  { text: "?%ZZ=%", ok: true },
  { text: "?a=1&a=2", ok: true },
  { text: "/", ok: false },
  { text: "/extra", ok: false },
];
