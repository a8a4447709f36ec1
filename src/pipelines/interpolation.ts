/**
 * `${...}` interpolation in dvc.yaml, following dvc/parsing/context.py and interpolate.py: a context built
 * from `params.yaml` (when present) and `vars` (files, `file:key1,key2` selections and inline mappings),
 * lookups like `${a.b}`, `${a[0]}`, `${item.x}`, `${key}`, and a value that is exactly `${x}` keeping its type.
 * Errors are InterpolationError with DVC's wording; dvcYaml.ts makes them dvc's ResolveError, naming dvc.yaml.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { DEFAULT_PARAMS_FILE } from "./paramsFile.js";
import { InterpolationError, VERBOSE, type NameFile } from "./interpolationError.js";
import { expressionSyntaxError } from "./interpolationSyntax.js";
import { loadVarsFile } from "./varsFile.js";
import { cloneValue, isPlainObject, pyFloatRepr, PyFloat, PyInt, type PyValue } from "./pythonValues.js";
import { shellQuote } from "../shellQuote.js";

/** A vars file (absolute), or inline vars (`vars[0]`, `train.vars[1]`), as dvc's `Meta.source` names it. */
type VarsOrigin = { file: string } | { inline: string };

const originName = (origin: VarsOrigin, name: NameFile): string =>
  "file" in origin ? name(origin.file) : origin.inline;

export { InterpolationError } from "./interpolationError.js";

/** Values of vars files a stage interpolated: file (absolute) -> dotted key -> value. */
export type TrackedVars = Map<string, Map<string, PyValue>>;

// `\${` escapes an interpolation; the inner text is everything up to the first `}` (KEYCRE in DVC).
const KEYCRE = /(?<!\\)\$\{(.*?)\}/g;

export function hasInterpolation(value: string): boolean {
  KEYCRE.lastIndex = 0;
  return KEYCRE.test(value);
}

/** Throws for a syntactically invalid `${...}` anywhere in `value` (DVC checks this before resolving). */
export function checkExpressions(value: unknown): void {
  if (typeof value === "string") {
    for (const match of value.matchAll(KEYCRE)) parseExpression(match[1] ?? "");
  } else if (Array.isArray(value)) {
    value.forEach(checkExpressions);
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      checkExpressions(k);
      checkExpressions(v);
    }
  }
}

function parseExpression(inner: string): string[] {
  const syntaxError = expressionSyntaxError(inner);
  if (syntaxError !== undefined) throw new InterpolationError(syntaxError, VERBOSE);
  return inner
    .replaceAll("[", ".")
    .replaceAll("]", "")
    .split(".")
    .map((s) => s.trim());
}

/** The variables visible to one stage: a plain tree of values, merged DVC-style. */
export class InterpolationContext {
  private constructor(
    private readonly data: Record<string, PyValue>,
    private readonly imports: Map<string, string[] | null>,
    /** `item`/`key` of a generated stage: kept apart so binding them never copies the whole context. */
    private readonly bindings: Record<string, PyValue> = {},
    /** Where each value came from, by its key path joined with NUL (where it was first set, not below). */
    private readonly sources: Map<string, VarsOrigin> = new Map(),
    /** Shared by every copy of a context, so a stage's lookups are tracked through its clones. */
    private readonly tracker: { used?: TrackedVars } = {},
  ) {}

  static empty(): InterpolationContext {
    return new InterpolationContext({}, new Map());
  }

  clone(): InterpolationContext {
    return new InterpolationContext(
      cloneValue(this.data),
      new Map(this.imports),
      { ...this.bindings },
      new Map(this.sources),
      this.tracker,
    );
  }

  /**
   * Runs `work` and answers which values of vars files it interpolated (dvc's `Context.track`, whose result
   * `params diff` lists beside the params files): `{file (absolute): {dotted key: value}}`.
   */
  async track<T>(work: () => Promise<T>): Promise<{ result: T; used: TrackedVars }> {
    const used: TrackedVars = new Map();
    this.tracker.used = used;
    try {
      return { result: await work(), used };
    } finally {
      delete this.tracker.used;
    }
  }

  /** `params.yaml` in `wdirAbs` when `withDefault` and it exists, then each `vars` entry in order. */
  async loadVars(
    vars: readonly unknown[],
    wdirAbs: string,
    withDefault: boolean,
    stageName?: string,
  ): Promise<void> {
    if (withDefault && existsSync(join(wdirAbs, DEFAULT_PARAMS_FILE))) {
      await this.mergeFile(DEFAULT_PARAMS_FILE, wdirAbs);
    }
    for (const [index, item] of vars.entries()) {
      if (typeof item === "string") await this.mergeFile(item, wdirAbs);
      else if (isPlainObject(item)) {
        const inline = `${stageName === undefined ? "" : `${stageName}.`}vars[${index}]`;
        this.merge(item as Record<string, PyValue>, { inline });
      } else throw new InterpolationError(`vars[${index}] must be a file name or a mapping`);
    }
  }

  private async mergeFile(item: string, wdirAbs: string): Promise<void> {
    const colon = item.indexOf(":");
    const file = colon === -1 ? item : item.slice(0, colon);
    const keys =
      colon === -1
        ? null
        : item
            .slice(colon + 1)
            .split(",")
            .filter(Boolean);
    const selected = keys !== null && keys.length > 0 ? keys : null;
    const abs = isAbsolute(file) ? file : normalize(join(wdirAbs, file));
    const previous = this.imports.get(abs);
    if (previous !== undefined) {
      if (selected === null && previous === null) return;
      if (previous === null)
        throw new InterpolationError(`cannot partially load '${item}' as it's already loaded.`, VERBOSE);
      if (selected === null || selected.some((k) => previous.includes(k))) {
        throw new InterpolationError(`cannot load '${item}' as it's partially loaded already`, VERBOSE);
      }
    }
    let data = await loadVarsFile(abs);
    if (selected !== null) {
      const picked: Record<string, PyValue> = {};
      for (const key of selected) {
        if (!(key in data))
          throw new InterpolationError((name) => `could not find '${key}' in '${name(abs)}'`);
        picked[key] = data[key] ?? null;
      }
      data = picked;
    }
    this.merge(data, { file: abs });
    this.imports.set(abs, selected === null ? null : [...(previous ?? []), ...selected]);
  }

  /**
   * Merges mappings recursively; redefining a value is an error, as in DVC. A `file` origin (absolute) marks
   * the values as coming from a vars file, so interpolating them is tracked; inline vars (a string) are not.
   */
  merge(update: Record<string, PyValue>, source: VarsOrigin | string): void {
    const origin = typeof source === "string" ? { inline: source } : source;
    const walk = (into: Record<string, PyValue>, from: Record<string, PyValue>, path: string[]): void => {
      for (const [key, value] of Object.entries(from)) {
        const existing = into[key];
        if (isPlainObject(existing) && isPlainObject(value)) {
          walk(existing as Record<string, PyValue>, value as Record<string, PyValue>, [...path, key]);
        } else if (key in into) {
          const existing = this.originOf([...path, key]);
          throw new InterpolationError(
            (name) =>
              `cannot redefine '${[...path, key].join(".")}' from '${originName(origin, name)}'` +
              (existing === undefined ? "" : ` as it already exists in '${originName(existing, name)}'`),
            VERBOSE,
          );
        } else {
          into[key] = cloneValue(value);
          this.sources.set([...path, key].join("\0"), origin);
        }
      }
    };
    walk(this.data, update, []);
  }

  /** Where the value at `parts` was set: the longest prefix of it recorded. */
  private originOf(parts: readonly string[]): VarsOrigin | undefined {
    for (let length = parts.length; length > 0; length--) {
      const origin = this.sources.get(parts.slice(0, length).join("\0"));
      if (origin !== undefined) return origin;
    }
    return undefined;
  }

  has(key: string): boolean {
    return key in this.bindings || key in this.data;
  }

  /** A context where top-level `values` (`item`, `key`) shadow variables of the same name. */
  withBindings(values: Record<string, PyValue>): InterpolationContext {
    return new InterpolationContext(
      this.data,
      this.imports,
      { ...this.bindings, ...values },
      this.sources,
      this.tracker,
    );
  }

  select(expression: string): PyValue {
    const parts = parseExpression(expression);
    let node: unknown = parts[0] !== undefined && parts[0] in this.bindings ? this.bindings : this.data;
    for (const part of parts) {
      if (Array.isArray(node) && /^-?[0-9]+$/.test(part)) {
        const index = Number(part) < 0 ? node.length + Number(part) : Number(part);
        if (index < 0 || index >= node.length) throw new InterpolationError(`Could not find '${expression}'`);
        node = node[index];
      } else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, part)) {
        node = node[part];
      } else {
        throw new InterpolationError(`Could not find '${expression}'`);
      }
    }
    if (this.tracker.used !== undefined && !(parts[0]! in this.bindings))
      this.recordUse(parts, node as PyValue);
    return node as PyValue;
  }

  /** Notes a value looked up from a vars file: the file holding the shortest recorded prefix of its path. */
  private recordUse(parts: readonly string[], value: PyValue): void {
    for (let length = 1; length <= parts.length; length++) {
      const origin = this.sources.get(parts.slice(0, length).join("\0"));
      if (origin === undefined || !("file" in origin)) continue;
      const file = origin.file;
      const keys = this.tracker.used!.get(file) ?? new Map<string, PyValue>();
      keys.set(parts.join("."), value);
      this.tracker.used!.set(file, keys);
      return;
    }
  }

  /**
   * Resolves every string in `value`. `key` is the stage field being resolved (`cmd`, `deps`, ...): lists and
   * mappings may only be interpolated whole into `foreach`/`matrix`, and a mapping into `cmd` as `--k v` flags.
   */
  resolve(value: unknown, key?: string): unknown {
    if (typeof value === "string") return this.resolveString(value, key);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, key));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[String(this.resolve(k, key))] = this.resolve(v, key);
      return out;
    }
    return value;
  }

  private resolveString(src: string, key: string | undefined): unknown {
    const matches = [...src.matchAll(KEYCRE)];
    if (matches.length === 0) return src;
    const only = matches[0];
    if (matches.length === 1 && only !== undefined && only[0] === src) {
      const value = this.select(only[1] ?? "");
      validateValue(value, key);
      return value;
    }
    let out = "";
    let index = 0;
    for (const match of matches) {
      const value = this.select(match[1] ?? "");
      validateValue(value, key);
      out += src.slice(index, match.index) + toInterpolatedString(value);
      index = match.index + match[0].length;
    }
    return (out + src.slice(index)).replaceAll("\\${", "${");
  }
}

function validateValue(value: PyValue, key: string | undefined): void {
  const composite = Array.isArray(value) || isPlainObject(value);
  if (!composite || key === undefined || key.includes("foreach")) return;
  if (isPlainObject(value) && key === "cmd") return;
  throw new InterpolationError(
    `Cannot interpolate data of type '${Array.isArray(value) ? "list" : "dict"}'`,
    VERBOSE,
  );
}

/** DVC's `to_str`: booleans as `true`/`false`, floats as Python prints them, a mapping as `--k v` flags. */
export function toInterpolatedString(value: PyValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (value instanceof PyInt) return value.value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map((v) => toInterpolatedString(v)).join(", ")}]`;
  return dictToFlags(value);
}

function dictToFlags(obj: Record<string, PyValue>, prefix = ""): string {
  let result = "";
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix === "" ? k : `${prefix}.${k}`;
    if (isPlainObject(v)) {
      const nested = dictToFlags(v as Record<string, PyValue>, name);
      if (nested !== "") result += `${nested} `;
    } else if (typeof v === "boolean") {
      if (v) result += `--${name} `;
    } else if (typeof v === "string") {
      result += `--${name} ${shellQuote(v)} `;
    } else if (Array.isArray(v)) {
      v.forEach((item, n) => {
        if (Array.isArray(item) || isPlainObject(item)) {
          throw new InterpolationError(`Cannot interpolate nested iterable in '${name}'`, VERBOSE);
        }
        const text = typeof item === "string" ? shellQuote(item) : toInterpolatedString(item);
        result += n > 0 ? `${text} ` : `--${name} ${text} `;
      });
    } else {
      result += `--${name} ${toInterpolatedString(v)} `;
    }
  }
  return result.trimEnd();
}

/** The keys a stage interpolated from vars files, by file relative to the repo root (POSIX). */
export function trackedVarKeys(repoRoot: string, uses: readonly TrackedVars[]): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const used of uses) {
    for (const [abs, values] of used) {
      const file = relative(repoRoot, abs).split(sep).join("/");
      keys[file] = [...new Set([...(keys[file] ?? []), ...values.keys()])];
    }
  }
  return keys;
}
