/**
 * A dvc.yaml stage as dvc writes it back (`to_pipeline_file` in dvc/stage/serialize.py), from the stage's own
 * definition in the file: keys in dvc's order, empty and false values left out, `wdir` relative to the file
 * (none for `.`), deps sorted, params keys sorted with params.yaml's first, outs, metrics and plots sorted
 * together by path, each with its flags in dvc's order. dvc applies this over the stage as read, so an
 * edit such as `freeze` also normalises the stage.
 */
import { dirname, relative, resolve, sep } from "node:path";

const DEFAULT_PARAMS_FILE = "params.yaml";
const ANNOTATION_KEYS = ["desc", "type", "labels", "meta"] as const;
const OUT_FLAG_KEYS = new Set<string>([...ANNOTATION_KEYS, "cache", "persist", "remote", "push"]);

type Definition = Record<string, unknown>;

/** The stage `definition` (as in the dvc.yaml at `pipelineFile`) serialized, with `frozen` replaced. */
export function stageDefinitionDump(
  definition: Definition,
  pipelineFile: string,
  frozen: boolean,
): Definition {
  const wdir = wdirOf(definition.wdir, pipelineFile);
  const deps = listOf(definition.deps)
    .filter((dep): dep is string => typeof dep === "string")
    .sort(codePointOrder);
  const sorted = [
    ...outsOf(definition.outs, "outs"),
    ...outsOf(definition.metrics, "metrics"),
    ...outsOf(definition.plots, "plots"),
  ].sort((a, b) => codePointOrder(a.path, b.path));
  const bucket = (kind: OutKind): unknown[] =>
    sorted
      .filter((out) => out.kind === kind)
      .map((out) => (out.flags === undefined ? out.path : { [out.path]: out.flags }));
  const entries: [string, unknown][] = [
    ["desc", definition.desc],
    ["cmd", definition.cmd],
    ["wdir", wdir],
    ["deps", deps],
    ["params", paramsKeys(listOf(definition.params))],
    ["outs", bucket("outs")],
    ["metrics", bucket("metrics")],
    ["plots", bucket("plots")],
    ["frozen", frozen],
    ["always_changed", definition.always_changed],
    ["meta", definition.meta],
  ];
  return Object.fromEntries(entries.filter(([, value]) => pythonTruthy(value)));
}

type OutKind = "outs" | "metrics" | "plots";

interface SerializedOut {
  path: string;
  kind: OutKind;
  flags: Record<string, unknown> | undefined;
}

function outsOf(raw: unknown, kind: OutKind): SerializedOut[] {
  return listOf(raw).flatMap((entry): SerializedOut[] => {
    if (typeof entry === "string") return [{ path: entry, kind, flags: undefined }];
    if (typeof entry !== "object" || entry === null) return [];
    return Object.entries(entry as Record<string, unknown>).map(([path, options]) => ({
      path,
      kind,
      flags: outFlags(kind, (options ?? {}) as Record<string, unknown>),
    }));
  });
}

/** dvc's `_get_flags`: annotations, `cache: false`, `persist: true`, plot properties as read, remote, `push: false`. */
function outFlags(kind: OutKind, options: Record<string, unknown>): Record<string, unknown> | undefined {
  const flags: Record<string, unknown> = {};
  for (const key of ANNOTATION_KEYS)
    if (options[key] !== undefined && options[key] !== null) flags[key] = options[key];
  if (options.cache === false) flags.cache = false;
  if (options.persist === true) flags.persist = true;
  if (kind === "plots") {
    for (const [key, value] of Object.entries(options)) if (!OUT_FLAG_KEYS.has(key)) flags[key] = value;
  }
  if (pythonTruthy(options.remote)) flags.remote = options.remote;
  if (options.push === false) flags.push = false;
  return Object.keys(flags).length > 0 ? flags : undefined;
}

/** dvc's `_serialize_params_keys`: params.yaml's keys first, then `{file: keys}` by file name, keys sorted. */
function paramsKeys(raw: unknown[]): unknown[] {
  const byFile = new Map<string, Set<string>>();
  const add = (file: string, keys: unknown): void => {
    const set = byFile.get(file) ?? new Set<string>();
    for (const key of listOf(keys)) if (typeof key === "string") set.add(key);
    byFile.set(file, set);
  };
  for (const entry of raw) {
    if (typeof entry === "string") add(DEFAULT_PARAMS_FILE, [entry]);
    else if (typeof entry === "object" && entry !== null) {
      for (const [file, keys] of Object.entries(entry as Record<string, unknown>)) add(file, keys);
    }
  }
  let keys: unknown[] = [];
  for (const file of [...byFile.keys()].sort(codePointOrder)) {
    const fileKeys = [...byFile.get(file)!].sort(codePointOrder);
    if (fileKeys.length > 0 && file === DEFAULT_PARAMS_FILE) keys = [...fileKeys, ...keys];
    else keys.push({ [file]: fileKeys.length > 0 ? fileKeys : null });
  }
  return keys;
}

function wdirOf(raw: unknown, pipelineFile: string): string | undefined {
  if (typeof raw !== "string") return undefined;
  const dir = dirname(pipelineFile);
  const rel = relative(dir, resolve(dir, raw)).split(sep).join("/");
  return rel === "" || rel === "." ? undefined : rel;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Python's truth value of what a dvc.yaml holds. */
function pythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return value !== undefined && value !== null && value !== false && value !== "" && value !== 0;
}

/** Python's string order (code points), which UTF-16 order matches outside astral characters. */
function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
