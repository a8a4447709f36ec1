/**
 * DVC's dvc.yaml schema (MULTI_STAGE_SCHEMA, STAGE_DEFINITION, FOREACH_IN in dvc/schema.py), checked on the
 * raw document before interpolation, as DVC does. Unknown keys are errors: DVC rejects them too, which is why
 * FlowOps settings live in flowops.yaml. `fail(keyPath, message)` builds the `dvc.yaml:line:` error.
 */
import type { FlowOpsError } from "../errors.js";
import { isPlainObject } from "./pythonValues.js";

export type Fail = (keyPath: (string | number)[], message: string) => FlowOpsError;
type Path = (string | number)[];
type Check = (value: unknown, path: Path, fail: Fail) => void;

const where = (path: Path): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

const str: Check = (v, p, fail) => {
  if (typeof v !== "string") throw fail(p, `${where(p)}: expected a string`);
};
const bool: Check = (v, p, fail) => {
  if (typeof v !== "boolean") throw fail(p, `${where(p)}: expected a boolean`);
};
const anything: Check = () => undefined;
const strOrList: Check = (v, p, fail) => {
  if (typeof v !== "string" && !Array.isArray(v)) throw fail(p, `${where(p)}: expected a string or a list`);
};
const listOf =
  (item: Check): Check =>
  (v, p, fail) => {
    if (!Array.isArray(v)) throw fail(p, `${where(p)}: expected a list`);
    v.forEach((x, i) => item(x, [...p, i], fail));
  };
const either =
  (...checks: Check[]): Check =>
  (v, p, fail) => {
    let firstError: unknown;
    for (const check of checks) {
      try {
        check(v, p, fail);
        return;
      } catch (error) {
        firstError ??= error;
      }
    }
    throw firstError;
  };
const mapping =
  (fields: Record<string, Check>, required: string[] = []): Check =>
  (v, p, fail) => {
    if (!isPlainObject(v)) throw fail(p, `${where(p)}: expected a mapping`);
    for (const key of required) {
      if (!(key in v)) throw fail(p, `${where(p)}: required key '${key}' not provided`);
    }
    for (const [key, value] of Object.entries(v)) {
      const check = fields[key];
      if (check === undefined) {
        throw fail(
          [...p, key],
          `${where(p)}: extra key '${key}' not allowed (allowed: ${Object.keys(fields).join(", ")})`,
        );
      }
      check(value, [...p, key], fail);
    }
  };
const mapOf =
  (value: Check): Check =>
  (v, p, fail) => {
    if (!isPlainObject(v)) throw fail(p, `${where(p)}: expected a mapping`);
    for (const [key, item] of Object.entries(v)) value(item, [...p, key], fail);
  };
const nullable =
  (check: Check): Check =>
  (v, p, fail) => {
    if (v !== null) check(v, p, fail);
  };

const ANNOTATION = { desc: str, type: str, labels: listOf(str), meta: anything };
const OUT_FLAGS = { ...ANNOTATION, cache: bool, persist: bool, checkpoint: bool, remote: str, push: bool };
const PLOT_PROPS = {
  ...OUT_FLAGS,
  template: str,
  x: str,
  y: str,
  x_label: str,
  y_label: str,
  title: str,
  header: bool,
};
const OUT_ENTRY = either(str, mapOf(nullable(mapping(OUT_FLAGS))));
const PLOT_ENTRY = either(str, mapOf(nullable(either(mapping(PLOT_PROPS), listOf(mapping(PLOT_PROPS))))));

const STAGE_FIELDS: Record<string, Check> = {
  matrix: mapOf(strOrList),
  cmd: strOrList,
  wdir: str,
  deps: listOf(str),
  params: listOf(either(str, mapOf(anything))),
  vars: listOf(either(str, mapOf(anything))),
  frozen: bool,
  meta: anything,
  desc: str,
  always_changed: bool,
  outs: listOf(OUT_ENTRY),
  metrics: listOf(OUT_ENTRY),
  plots: listOf(PLOT_ENTRY),
};
const STAGE_DEFINITION = mapping(STAGE_FIELDS, ["cmd"]);
const FOREACH_IN = mapping(
  { foreach: either(str, listOf(anything), mapOf(anything)), do: STAGE_DEFINITION },
  ["foreach", "do"],
);

const PLOT_DEFINITION = mapping({
  x: either(str, mapOf(str)),
  y: either(str, listOf(str), mapOf(either(str, listOf(str)))),
  x_label: str,
  y_label: str,
  title: str,
  template: str,
});
const ARTIFACT = mapping({ path: str, ...ANNOTATION }, ["path"]);

const TOP_LEVEL = mapping({
  datasets: anything,
  plots: listOf(either(str, mapOf(nullable(PLOT_DEFINITION)))),
  stages: mapOf(anything),
  vars: listOf(either(str, mapOf(anything))),
  params: listOf(str),
  metrics: listOf(str),
  artifacts: mapOf(ARTIFACT),
});

export function validateTopLevel(doc: unknown, fail: Fail): void {
  TOP_LEVEL(doc, [], fail);
}

/** A stage is a foreach (when it has `foreach` or `do`) or a plain/matrix definition, as DVC's `either_or`. */
export function validateStageDefinition(name: string, def: unknown, fail: Fail): void {
  const path = ["stages", name];
  if (isPlainObject(def) && ("foreach" in def || "do" in def)) FOREACH_IN(def, path, fail);
  else STAGE_DEFINITION(def, path, fail);
}
