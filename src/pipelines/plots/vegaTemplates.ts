/**
 * dvc-render's vega templates (dvc_render/vega_templates.py, dvc-render 1.0.2 as dvc 3.67.1 pins it): the
 * built-in templates, custom ones read from the templates folder (`.dvc/plots`), and the anchor filling that
 * turns a template into a vega-lite spec. Filling follows Python's walk exactly (which strings it replaces
 * inside, which it only swaps whole), since `plots show --json` prints the result.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { FlowOpsError } from "../../errors.js";
import { isPlainObject, parsePythonJson, PyFloat, PyInt, pyStr } from "../pythonValues.js";
import { pathlibJoin, pathlibWithSuffix } from "./plotRenderer.js";
import { CONFUSION_CONTENT, NORMALIZED_CONFUSION_CONTENT } from "./vegaConfusionTemplateContents.js";
import {
  anchor,
  BAR_HORIZONTAL_CONTENT,
  BAR_HORIZONTAL_SORTED_CONTENT,
  SCATTER_CONTENT,
  SCATTER_JITTER_CONTENT,
  SIMPLE_LINEAR_CONTENT,
  SMOOTH_LINEAR_CONTENT,
  type TemplateContent,
} from "./vegaTemplateContents.js";

export type { TemplateContent } from "./vegaTemplateContents.js";

/** Python's truthiness, for the `x or y` and `if x:` tests dvc-render makes on loaded values. */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === "") return false;
  // NaN is true in Python, as every float but zero.
  if (typeof value === "number") return value !== 0;
  if (value instanceof PyFloat) return value.value !== 0;
  if (value instanceof PyInt) return value.value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** `Template '<path>' not found.` (dvc-render's TemplateNotFoundError). */
export function templateNotFound(path: string): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `Template '${path}' not found.`);
}

/** `Field '<name>' does not exist in provided data.` (dvc-render's NoFieldInDataError). */
export function noFieldInData(field: unknown): FlowOpsError {
  return new FlowOpsError(
    "INVALID_PARAMETER_VALUE",
    `Field '${pyStr(field)}' does not exist in provided data.`,
  );
}

/** dvc-render's BadTemplateError, raised bare (empty message) for a template file that is not an object. */
export function badTemplate(message = ""): FlowOpsError {
  return new FlowOpsError("INVALID_PARAMETER_VALUE", message);
}

/** Sets a key even when it is `__proto__`, which plain assignment would take as the prototype. */
function setEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * `dict_replace_value`: a copy of `d` with every string equal to `name` swapped for `value`. Strings in a
 * dict that merely contain `name` get it replaced inside them, but only when `value` is a string; strings in
 * lists are only ever swapped whole.
 */
export function dictReplaceValue(
  d: Record<string, unknown>,
  name: string,
  value: unknown,
): Record<string, unknown> {
  const replaced: Record<string, unknown> = {};
  for (const [key, original] of Object.entries(d)) {
    let v = original;
    if (isPlainObject(v)) v = dictReplaceValue(v, name, value);
    else if (Array.isArray(v)) v = listReplaceValue(v, name, value);
    else if (typeof v === "string") {
      if (v === name) {
        setEntry(replaced, key, value);
        continue;
      }
      // A function replacer, so `$&` and friends in the value are not patterns.
      if (v.includes(name) && typeof value === "string") v = v.replaceAll(name, () => value);
    }
    setEntry(replaced, key, v);
  }
  return replaced;
}

/** `list_replace_value`: a copy of `l` with elements equal to `name` swapped for `value`, nested ones too. */
export function listReplaceValue(l: readonly unknown[], name: string, value: unknown): unknown[] {
  return l.map((e) => {
    if (Array.isArray(e)) return listReplaceValue(e, name, value);
    if (isPlainObject(e)) return dictReplaceValue(e, name, value);
    return typeof e === "string" && e === name ? value : e;
  });
}

/**
 * `find_value`: whether `value` is a string of `d`. As in Python, a list's elements are searched when they are
 * dicts or strings, but a list directly inside a list is not.
 */
export function findValue(d: unknown, value: string): boolean {
  if (isPlainObject(d)) {
    for (const v of Object.values(d)) {
      if (isPlainObject(v) && findValue(v, value)) return true;
      if (typeof v === "string" && v === value) return true;
      if (Array.isArray(v) && v.some((e) => findValue(e, value))) return true;
    }
    return false;
  }
  return typeof d === "string" && d === value;
}

export class Template {
  static readonly EXTENSION = ".json";
  static readonly ANCHOR = "<DVC_METRIC_{}>";
  static readonly DEFAULT_CONTENT: TemplateContent = {};
  static readonly DEFAULT_NAME: string = "";

  readonly name: string;
  /** `Path(name).with_suffix(".json")`, the file name `dump_templates` would write. */
  readonly filename: string;
  content: TemplateContent;
  private readonly originalContent: TemplateContent;

  /** `content` is what a template file held (any JSON); an empty one stands for the class's default. */
  constructor(content?: unknown, name?: string) {
    const defaults = (this.constructor as typeof Template).DEFAULT_CONTENT;
    if (pyTruthy(content) && !isPlainObject(content)) throw badTemplate();
    this.originalContent = pyTruthy(content) ? (content as TemplateContent) : defaults;
    this.content = this.originalContent;
    this.name = name || (this.constructor as typeof Template).DEFAULT_NAME;
    this.filename = pathlibWithSuffix(this.name, Template.EXTENSION);
  }

  static anchor(name: string): string {
    return anchor(name);
  }

  /** Backslashes before `.`, `[` and `]`, which vega reads as nested-field syntax in a field name. */
  static escapeSpecialCharacters(value: string): string {
    let escaped = value;
    for (const character of [".", "[", "]"]) escaped = escaped.replaceAll(character, `\\${character}`);
    return escaped;
  }

  static checkFieldExists(data: readonly Record<string, unknown>[], field: unknown): void {
    if (!data.some((row) => typeof field === "string" && Object.hasOwn(row, field)))
      throw noFieldInData(field);
  }

  reset(): void {
    this.content = this.originalContent;
  }

  hasAnchor(name: string): boolean {
    return findValue(this.content, Template.anchor(name));
  }

  fillAnchor(name: string, value: unknown): void {
    this.content = dictReplaceValue(this.content, Template.anchor(name), value);
  }
}

export class BarHorizontalSortedTemplate extends Template {
  static override readonly DEFAULT_NAME: string = "bar_horizontal_sorted";
  static override readonly DEFAULT_CONTENT = BAR_HORIZONTAL_SORTED_CONTENT;
}

export class BarHorizontalTemplate extends Template {
  static override readonly DEFAULT_NAME: string = "bar_horizontal";
  static override readonly DEFAULT_CONTENT = BAR_HORIZONTAL_CONTENT;
}

export class ConfusionTemplate extends Template {
  static override readonly DEFAULT_NAME: string = "confusion";
  static override readonly DEFAULT_CONTENT = CONFUSION_CONTENT;
}

export class NormalizedConfusionTemplate extends Template {
  static override readonly DEFAULT_NAME: string = "confusion_normalized";
  static override readonly DEFAULT_CONTENT = NORMALIZED_CONFUSION_CONTENT;
}

export class ScatterTemplate extends Template {
  static override readonly DEFAULT_NAME: string = "scatter";
  static override readonly DEFAULT_CONTENT = SCATTER_CONTENT;
}

export class ScatterJitterTemplate extends Template {
  static override readonly DEFAULT_NAME: string = "scatter_jitter";
  static override readonly DEFAULT_CONTENT = SCATTER_JITTER_CONTENT;
}

export class SmoothLinearTemplate extends Template {
  static override readonly DEFAULT_NAME: string = "smooth";
  static override readonly DEFAULT_CONTENT = SMOOTH_LINEAR_CONTENT;
}

/** dvc's default template: the smooth one under another name, as in dvc-render. */
export class LinearTemplate extends SmoothLinearTemplate {
  static override readonly DEFAULT_NAME: string = "linear";
}

export class SimpleLinearTemplate extends Template {
  static override readonly DEFAULT_NAME: string = "simple";
  static override readonly DEFAULT_CONTENT = SIMPLE_LINEAR_CONTENT;
}

/** In dvc-render's order, which `plots templates` lists. */
export const TEMPLATES: readonly (typeof Template)[] = [
  SimpleLinearTemplate,
  LinearTemplate,
  ConfusionTemplate,
  NormalizedConfusionTemplate,
  ScatterTemplate,
  ScatterJitterTemplate,
  SmoothLinearTemplate,
  BarHorizontalSortedTemplate,
  BarHorizontalTemplate,
];

/** `Path.exists()`: an empty path is `.`, the working directory. */
function pathExists(path: string): boolean {
  return existsSync(path === "" ? "." : path);
}

/** `_find_template`: `<dir>/<name>`, then `<dir>/<name>` with its suffix made `.json`, then `<name>` itself. */
function findTemplate(templateName: string, templateDir: string | undefined): string | undefined {
  if (templateDir) {
    const inDir = pathlibJoin(templateDir, templateName);
    if (pathExists(inDir)) return inDir;
    const withJson = pathlibWithSuffix(inDir, Template.EXTENSION);
    if (pathExists(withJson)) return withJson;
  }
  return pathExists(templateName) ? resolve(templateName) : undefined;
}

/**
 * `get_template`: a Template given is returned as it is; no template means `linear`. A file found by
 * `findTemplate` wins over a built-in name, so `.dvc/plots/linear.json` overrides the built-in `linear`.
 * Reads synchronously, as dvc-render does, so a renderer can pick its template in its constructor.
 */
export function getTemplate(template?: string | Template | null, templateDir?: string | null): Template {
  if (template instanceof Template) return template;
  const name = template ?? "linear";
  const path = findTemplate(name, templateDir ?? undefined);
  if (path !== undefined) {
    const content = parsePythonJson(path, readFileSync(path, "utf8"));
    return new Template(content, name);
  }
  const builtIn = TEMPLATES.find((templateClass) => templateClass.DEFAULT_NAME === name);
  if (builtIn !== undefined) return new builtIn();
  throw templateNotFound(name);
}
