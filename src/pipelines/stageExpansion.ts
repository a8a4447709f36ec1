/**
 * `foreach` and `matrix` stages, named as DVC names them (dvc/parsing/__init__.py): `build@a` for a simple
 * list item, `build@0` (the index) when any item is a list or mapping, `build@key` for a mapping;
 * `sweep@cnn-f1` for a matrix, whose list or mapping values become `<name><index>` (`train@labels0-config0`).
 * Each instance carries the template and the `item`/`key` bindings; dvcYaml.ts resolves the template.
 */
import { InterpolationError, toInterpolatedString, type InterpolationContext } from "./interpolation.js";
import { isPlainObject, type PyValue } from "./pythonValues.js";

export const FOREACH_KEY = "foreach";
export const DO_KEY = "do";
export const MATRIX_KEY = "matrix";
export const NAME_JOIN = "@";

export interface StageInstance {
  /** The stage name: the key in dvc.yaml, or `group@key` for generated ones. */
  name: string;
  /** The definition to resolve: the stage itself, `do` of a foreach, or a matrix stage without `matrix`. */
  template: Record<string, unknown>;
  /** Key path of the template in dvc.yaml, for error lines. */
  templatePath: (string | number)[];
  /** `item` (and `key`) for generated stages. */
  bindings?: Record<string, PyValue>;
  /** The foreach/matrix group a generated stage came from. */
  group?: string;
}

function isComposite(value: unknown): boolean {
  return Array.isArray(value) || isPlainObject(value);
}

function typeName(value: unknown): string {
  if (value === null) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value;
}

/** Expands one `stages` entry into the stages it defines. */
export function expandStage(
  name: string,
  definition: Record<string, unknown>,
  context: InterpolationContext,
): StageInstance[] {
  if (MATRIX_KEY in definition) return expandMatrix(name, definition, context);
  if (FOREACH_KEY in definition) return expandForeach(name, definition, context);
  return [{ name, template: definition, templatePath: ["stages", name] }];
}

function expandForeach(
  name: string,
  definition: Record<string, unknown>,
  context: InterpolationContext,
): StageInstance[] {
  const data = context.resolve(definition[FOREACH_KEY]);
  if (!isComposite(data)) {
    throw new InterpolationError(`expected list/dictionary, got ${typeName(data)}`, {
      preamble: `failed to resolve 'stages.${name}.foreach'`,
    });
  }
  const template = definition[DO_KEY] as Record<string, unknown>;
  const templatePath = ["stages", name, DO_KEY];
  const entries: [string, PyValue][] = [];
  if (Array.isArray(data)) {
    const byIndex = data.some(isComposite);
    data.forEach((item, index) => {
      entries.push([byIndex ? String(index) : toInterpolatedString(item as PyValue), item as PyValue]);
    });
  } else {
    for (const [key, item] of Object.entries(data as Record<string, PyValue>)) entries.push([key, item]);
  }
  const isMapping = !Array.isArray(data);
  // Python dicts keep the last value of a repeated key; the generated names stay unique.
  const unique = new Map(entries);
  return [...unique].map(([key, item]) => ({
    name: `${name}${NAME_JOIN}${key}`,
    template,
    templatePath,
    bindings: isMapping ? { item, key } : { item },
    group: name,
  }));
}

function expandMatrix(
  name: string,
  definition: Record<string, unknown>,
  context: InterpolationContext,
): StageInstance[] {
  const resolved = context.resolve(definition[MATRIX_KEY]);
  if (!isPlainObject(resolved)) {
    throw new InterpolationError(`expected a dictionary, got ${typeName(resolved)}`, {
      preamble: `failed to resolve 'stages.${name}.matrix'`,
    });
  }
  const axes: [string, PyValue[]][] = [];
  for (const [axis, values] of Object.entries(resolved)) {
    if (!Array.isArray(values)) {
      throw new InterpolationError(`expected a list, got ${typeName(values)}`, {
        preamble: `failed to resolve 'stages.${name}.matrix.${axis}'`,
      });
    }
    axes.push([axis, values as PyValue[]]);
  }
  const template = Object.fromEntries(Object.entries(definition).filter(([k]) => k !== MATRIX_KEY));
  let combos: { fragments: string[]; item: Record<string, PyValue> }[] = [{ fragments: [], item: {} }];
  for (const [axis, values] of axes) {
    const next: typeof combos = [];
    for (const combo of combos) {
      values.forEach((value, index) => {
        const fragment = isComposite(value) ? `${axis}${index}` : toInterpolatedString(value);
        next.push({ fragments: [...combo.fragments, fragment], item: { ...combo.item, [axis]: value } });
      });
    }
    combos = next;
  }
  const unique = new Map(combos.map((c) => [c.fragments.join("-"), c.item]));
  return [...unique].map(([key, item]) => ({
    name: `${name}${NAME_JOIN}${key}`,
    template,
    templatePath: ["stages", name],
    bindings: { key, item },
    group: name,
  }));
}
