/**
 * What the tracking-server fuzz test puts where a valid request had something else: JSON values written as raw
 * text (so they can be what JSON.stringify cannot write: NaN, 1e999, lone surrogates), values aimed at one kind
 * of field (page tokens, filters, ids, artifact paths), query-string spellings, content types and bad UTF-8.
 * Test-only; nothing in the product imports it.
 */

const nestedArrays = (depth: number): string => `${"[".repeat(depth)}1${"]".repeat(depth)}`;
const nestedObjects = (depth: number): string => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** JSON values as raw text, for any field. */
export const WEIRD_JSON: readonly string[] = [
  "null",
  "true",
  "false",
  "0",
  "-1",
  "1.5",
  "-0",
  "-0.5",
  "1e308",
  "1e999",
  "-1e999",
  "NaN",
  "Infinity",
  "-Infinity",
  "9007199254740993",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775809",
  "18446744073709551616",
  "123456789012345678901234567890",
  "1".repeat(400),
  '""',
  '" "',
  '"x"',
  '"NaN"',
  '"Infinity"',
  '"1e999"',
  '"-1"',
  '"1.5"',
  '"0x10"',
  '"true"',
  '"\\u0000"',
  '"a\\u0000b"',
  '"\\ud800"',
  '"\\udfff\\ud800"',
  '"é😀\\n\\t\\r"',
  '"\\u001b[31m"',
  `"${"k".repeat(300)}"`,
  `"${"a".repeat(6000)}"`,
  `"${"a".repeat(300_000)}"`,
  "[]",
  "{}",
  "[[]]",
  "[null]",
  '["a"]',
  '[{"key":"k","value":"v"}]',
  '[{"key":1,"value":2}]',
  '[{"key":"k"}]',
  '[{"value":"v"}]',
  '[{"key":"","value":""}]',
  '[{"key":"k","value":"v"},{"key":"k","value":"w"}]',
  `[${'{"key":"k","value":"v"},'.repeat(2000)}{"key":"k","value":"v"}]`,
  `[${"0,".repeat(20_000)}0]`,
  // An order_by of 250 metrics: one join each in runs/search.
  `[${Array.from({ length: 250 }, (_, i) => `"metrics.m${i}"`).join(",")}]`,
  nestedArrays(70),
  nestedArrays(5000),
  nestedObjects(200),
  nestedObjects(5000),
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":1}}',
  '{"toString":1,"hasOwnProperty":2}',
];

/** Keys added to objects, or given to an existing member in place of its name. */
export const EXTRA_KEYS: readonly string[] = [
  "__proto__",
  "constructor",
  "toString",
  "",
  "é",
  "run_uuid",
  "run_id",
  "experiment_id",
  "name",
  "key\u0000",
  "Key",
  "*",
  "model_id",
];

/** Strings for fields that name or pick things: ids, names, keys. */
export const ID_STRINGS: readonly string[] = [
  "",
  " ",
  "0",
  "-1",
  "1e3",
  "nope",
  "x".repeat(5000),
  "../../etc/passwd",
  "a/b",
  "a\u0000b",
  "\ud800",
  "é",
  "%00",
  "' OR 1=1 --",
  '"; DROP TABLE runs; --',
  "1; SELECT 1",
  "m-",
  "99999999999999999999999",
];

/** Page tokens: wrong base64, right base64 of wrong JSON, offsets out of range. */
export const PAGE_TOKENS: readonly string[] = [
  "",
  "x",
  "!!!",
  "====",
  "bm90IGpzb24=",
  Buffer.from("{}").toString("base64"),
  Buffer.from("[]").toString("base64"),
  Buffer.from("null").toString("base64"),
  Buffer.from('{"offset":-1}').toString("base64"),
  Buffer.from('{"offset":1.5}').toString("base64"),
  Buffer.from('{"offset":"1"}').toString("base64"),
  Buffer.from('{"offset":1e999}').toString("base64"),
  Buffer.from('{"offset":9007199254740993}').toString("base64"),
  Buffer.from('{"offset":99999999}').toString("base64"),
  Buffer.from('{"offset":null}').toString("base64"),
  Buffer.from('{"offset":{}}').toString("base64"),
  Buffer.from([0xff, 0xfe, 0x00]).toString("base64"),
  "eyJvZmZzZXQiOiAxfQ",
  "a".repeat(10_000),
];

/** Filter strings for runs, experiments, registry and logged-model searches. */
export const FILTERS: readonly string[] = [
  "",
  " ",
  "metrics.m > 1",
  "metrics.m > NaN",
  "metrics.m > 1e999",
  "metrics.m >",
  "metrics. > 1",
  "metrics.`m` = 1",
  "metrics.`m = 1",
  "params.p = 'x",
  'params.p = "x"',
  "params.p LIKE '%'",
  "params.p ILIKE '%\\'",
  "params.p IN ()",
  "params.p IN ('a',",
  "tags.t = 'a' AND",
  "tags.t = 'a' OR tags.t = 'b'",
  "attributes.status = 'RUNNING'",
  "attributes.start_time > -1",
  "attributes.start_time > 99999999999999999999",
  "attributes.run_id IN ('a')",
  "attributes.nope = 1",
  "name = 'x'",
  "name LIKE '%x%'",
  "name = 'a\u0000'",
  "tags.`a.b` = 'c'",
  "datasets.digest = 'x'",
  "run_id = 'x'",
  "source_path = 'x'",
  "version_number > 1",
  "version_number > 'x'",
  "metrics.m = 1; DROP TABLE runs",
  "((((((((((metrics.m = 1))))))))))",
  "(".repeat(5000),
  `${"metrics.m = 1 AND ".repeat(500)}metrics.m = 1`,
  `${"tags.t = 'a' AND ".repeat(250)}tags.t = 'a'`,
  `${"params.p = 'a' AND ".repeat(60)}params.p = 'a'`,
  "'".repeat(3),
  "\ud800",
];

/** order_by clauses. */
export const ORDER_BYS: readonly string[] = [
  "",
  "metrics.m",
  "metrics.m DESC",
  "metrics.m SIDEWAYS",
  "params.p ASC",
  "attributes.nope",
  "name",
  "name DESC, name ASC",
  "`",
  "start_time DESC LIMIT 1",
  "tags.`t",
];

/** Artifact paths that must never reach outside the store; `%` forms are sent as typed. */
export const TRAVERSAL_PATHS: readonly string[] = [
  "..",
  "../escape-fuzz.txt",
  "../../escape-fuzz.txt",
  "a/../../escape-fuzz.txt",
  "%2e%2e/escape-fuzz.txt",
  "%2e%2e%2fescape-fuzz.txt",
  "..%2fescape-fuzz.txt",
  "%252e%252e%252fescape-fuzz.txt",
  "..%5cescape-fuzz.txt",
  "..\\escape-fuzz.txt",
  "/etc/passwd",
  "%2Fetc%2Fpasswd",
  "C:%5Cescape-fuzz.txt",
  "a/%00/b",
  "a%00.txt",
  "./a/./b",
  "a//b",
  "%ZZ",
  "%",
  "%FF",
  "%C0%AE%C0%AE/escape-fuzz.txt",
  "x".repeat(300),
  `${"d/".repeat(200)}f`,
];

/** Query strings put in place of a parameter's value, raw (already percent-encoded or meant to be broken). */
export const RAW_QUERY_VALUES: readonly string[] = [
  "",
  "%",
  "%ZZ",
  "%FF",
  "%C3",
  "%ED%A0%80",
  "%00",
  "a%26b%3Dc",
  "+",
  "%2B",
  "1e999",
  "NaN",
  "-1",
  "1.5",
  "9223372036854775808",
  "true",
  "x".repeat(5000),
];

/** Whole-query edits that keep the request's own parameters. */
export const QUERY_SUFFIXES: readonly string[] = [
  "&",
  "&&",
  "&=",
  "&=x",
  "&x",
  "&__proto__=1",
  "&constructor[prototype]=1",
  "&a[b]=1",
  "&a[]=1&a[]=2",
  "#frag",
  "&%ZZ=1",
  `&${"k=v&".repeat(2000)}z=1`,
  // Past Node's 16 KiB limit on a request's head: refused before any route runs.
  `&pad=${"p".repeat(20_000)}`,
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

/** Raw control characters put inside a JSON string, where JSON forbids them unescaped. */
export const RAW_CONTROLS: readonly string[] = ["\u0000", "\u0001", "\n", "\t", "\u001f", "\r"];

/** Content types in place of application/json; `json` when MLflow reads the body as JSON all the same. */
export const CONTENT_TYPES: readonly { value: string | undefined; json: boolean }[] = [
  { value: undefined, json: false },
  { value: "", json: false },
  { value: "text/plain", json: false },
  { value: "application/octet-stream", json: false },
  { value: "application/x-www-form-urlencoded", json: false },
  { value: "multipart/form-data; boundary=x", json: false },
  { value: "a/b/c", json: false },
  { value: ";;;", json: false },
  { value: "application/jsonx", json: false },
  { value: "application/json; charset=utf-8", json: true },
  { value: "APPLICATION/JSON", json: true },
  { value: "application/json; charset=latin-1", json: true },
  { value: "application/json; charset=utf-16", json: true },
];
