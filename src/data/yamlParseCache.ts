/**
 * A cache of parsed YAML files in `.dvc/tmp/flowops-yaml/`: the value and the line and column of every key,
 * stored as JSON under a name made from the file's path, with the text it was parsed from. The YAML parser is slow to start (its code
 * runs cold in a short-lived command): a no-op `repro` of 20 stages spent a third of its time parsing
 * dvc.yaml and dvc.lock, while reading the same content back from JSON takes a millisecond. Only files that
 * parsed without error are cached, so every syntax error still comes from the parser; a missing, unreadable
 * or stale entry is simply a miss. An entry holds the whole text rather than its md5: comparing the text is
 * exact and needs no node:crypto, whose loading was ~4 ms of every unchanged `data status`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { YamlFile } from "./yamlFile.js";

/** How values beyond JSON (a parser's own number wrappers) travel through the cache. */
export interface YamlValueCodec {
  /** A JSON-safe stand-in for `value`, or undefined when `value` needs none. */
  encode(value: unknown): unknown;
  /** The value back from what `encode` returned. */
  decode(encoded: unknown): unknown;
}

interface CacheEntry {
  flavour: string;
  text: string;
  value: unknown;
  /** JSON of a key path (elements as strings) -> its 1-based line. */
  lines: Record<string, number>;
  /** The same for columns; entries written before columns were kept lack it and are misses. */
  columns?: Record<string, number>;
}

/** Bigger documents are parsed every time: listing every key's line would cost more than it saves. */
const MAX_CACHED_NODES = 50_000;
const SPECIAL = "\u0000flowops";

const cacheDirs = new Map<string, string | null>();

/**
 * `parse()`'s result for `text`, from the cache when this exact text was parsed before under `flavour` (the
 * parser's settings: the same text parses differently with Python's number rules).
 */
export function cachedYamlParse(
  path: string,
  text: string,
  flavour: string,
  parse: () => YamlFile,
  codec?: YamlValueCodec,
): YamlFile {
  const dir = cacheDirFor(path);
  if (dir === null) return parse();
  const file = join(dir, `${entryName(`${flavour}\0${resolve(path)}`)}.json`);
  const cached = readEntry(file, codec);
  if (cached?.columns !== undefined && cached.flavour === flavour && cached.text === text)
    return fromEntry(path, cached, cached.columns);
  const parsed = parse();
  const positions = keyPositions(parsed);
  if (positions !== undefined)
    writeEntry(dir, file, { flavour, text, value: parsed.value, ...positions }, codec);
  return parsed;
}

/**
 * Two 32-bit FNV-1a hashes (different offset bases) of the path and flavour, as 16 hex digits. Two keys that
 * collide only share a file, which costs misses, never a wrong answer: an entry answers only its own flavour
 * and text, which parse the same wherever the file lives.
 */
export function entryName(key: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** `<repo>/.dvc/tmp/flowops-yaml` for the nearest ancestor holding `.dvc/`; null outside a DVC repo. */
function cacheDirFor(path: string): string | null {
  const start = dirname(resolve(path));
  const visited: string[] = [];
  let dir = start;
  let found: string | null = null;
  for (;;) {
    const known = cacheDirs.get(dir);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(dir);
    if (existsSync(join(dir, ".dvc"))) {
      found = join(dir, ".dvc", "tmp", "flowops-yaml");
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const each of visited) cacheDirs.set(each, found);
  return found;
}

function readEntry(file: string, codec: YamlValueCodec | undefined): CacheEntry | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8"), (_key, value: unknown) =>
      decoded(value, codec),
    ) as CacheEntry;
  } catch {
    return undefined;
  }
}

function writeEntry(dir: string, file: string, entry: CacheEntry, codec: YamlValueCodec | undefined): void {
  const temp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      temp,
      JSON.stringify(entry, (_key, value: unknown) => encoded(value, codec)),
    );
    renameSync(temp, file);
  } catch {
    // Only a cache: a read-only or full disk costs the next command a parse, nothing else.
    rmSync(temp, { force: true });
  }
}

/** JSON loses non-finite numbers and -0; the codec handles the parser's own types. */
function encoded(value: unknown, codec: YamlValueCodec | undefined): unknown {
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { [SPECIAL]: "number", value: String(Object.is(value, -0) ? "-0" : value) };
  }
  const special = codec?.encode(value);
  return special === undefined ? value : { [SPECIAL]: "codec", value: special };
}

function decoded(value: unknown, codec: YamlValueCodec | undefined): unknown {
  if (typeof value !== "object" || value === null || !(SPECIAL in value)) return value;
  const { [SPECIAL]: kind, value: payload } = value as { [SPECIAL]: string; value: unknown };
  if (kind === "number") return payload === "-0" ? -0 : Number(payload);
  if (kind === "codec" && codec !== undefined) return codec.decode(payload);
  throw new Error("cache entry written with another codec");
}

function fromEntry(path: string, entry: CacheEntry, columns: Record<string, number>): YamlFile {
  // As the parser answers: the position of the deepest part of the path that exists.
  const deepest = (positions: Record<string, number>, keyPath: readonly (string | number)[]): number => {
    const parts = keyPath.map(String);
    for (let length = parts.length; length >= 0; length--) {
      const found = positions[JSON.stringify(parts.slice(0, length))];
      if (found !== undefined) return found;
    }
    return 1;
  };
  return {
    path,
    value: entry.value,
    lineOf: (keyPath) => deepest(entry.lines, keyPath),
    columnOf: (keyPath) => deepest(columns, keyPath),
  };
}

/**
 * The line and column of every key and item of the parsed value; undefined when the document is too big to
 * list. A parse that gives no columns (a stand-in's) writes none, and an entry without them is a miss.
 */
function keyPositions(
  parsed: YamlFile,
): { lines: Record<string, number>; columns?: Record<string, number> } | undefined {
  const lines: Record<string, number> = {};
  const columns: Record<string, number> = {};
  let nodes = 0;
  const visit = (value: unknown, keyPath: (string | number)[]): boolean => {
    if (++nodes > MAX_CACHED_NODES) return false;
    const key = JSON.stringify(keyPath.map(String));
    lines[key] = parsed.lineOf(keyPath);
    if (parsed.columnOf !== undefined) columns[key] = parsed.columnOf(keyPath);
    if (Array.isArray(value)) return value.every((item, index) => visit(item, [...keyPath, index]));
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.entries(value).every(([key, item]) => visit(item, [...keyPath, key]));
    }
    return true;
  };
  if (!visit(parsed.value, [])) return undefined;
  return parsed.columnOf === undefined ? { lines } : { lines, columns };
}
