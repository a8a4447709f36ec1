/**
 * DVC's dvc.yaml schema (MULTI_STAGE_SCHEMA, STAGE_DEFINITION, FOREACH_IN in dvc/schema.py), checked on the
 * raw document before interpolation, as DVC does. Unknown keys are errors: DVC rejects them too, which is why
 * FlowOps settings live in flowops.yaml. Checks return every problem they find rather than stopping at the
 * first, so that one run shows everything to fix, as DVC does; dvcYaml.ts turns them into `dvc.yaml:line:`.
 */
import { isPlainObject } from "./pythonValues.js";

type Path = (string | number)[];

/** One thing wrong in dvc.yaml: where it is and what is wrong there. */
export interface SchemaProblem {
  readonly path: Path;
  readonly message: string;
  /** Set when the value itself has the wrong type: the types that would do, for `either` to list. */
  readonly expected?: readonly string[];
}

type Check = (value: unknown, path: Path) => SchemaProblem[];

const where = (path: Path): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

// A problem with the whole document has no key path to name.
const problem = (path: Path, message: string): SchemaProblem => ({
  path,
  message: path.length === 0 ? message : `${where(path)}: ${message}`,
});

const orList = (items: readonly string[]): string =>
  items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1) ?? ""}`;

const wrongType = (path: Path, expected: readonly string[]): SchemaProblem => ({
  ...problem(path, `expected ${orList(expected)}`),
  expected,
});

const typed =
  (expected: string, test: (v: unknown) => boolean): Check =>
  (v, p) =>
    test(v) ? [] : [wrongType(p, [expected])];

const str = typed("a string", (v) => typeof v === "string");
const bool = typed("a boolean", (v) => typeof v === "boolean");
const anything: Check = () => [];
const strOrList = typed("a string or a list", (v) => typeof v === "string" || Array.isArray(v));
const listOf =
  (item: Check): Check =>
  (v, p) =>
    Array.isArray(v) ? v.flatMap((x, i) => item(x, [...p, i])) : [wrongType(p, ["a list"])];

/**
 * The value passes when one of `checks` accepts it. Otherwise the problems of an alternative whose type
 * matched (a mapping with a wrong field) say the most; when none matched, the message lists every type that
 * would do, instead of only the first alternative's.
 */
const either =
  (...checks: Check[]): Check =>
  (v, p) => {
    const results: SchemaProblem[][] = [];
    for (const check of checks) {
      const problems = check(v, p);
      if (problems.length === 0) return [];
      results.push(problems);
    }
    const isWrongType = (problems: SchemaProblem[]): boolean =>
      problems.length === 1 && problems[0]?.expected !== undefined && problems[0].path.length === p.length;
    const shaped = results.find((problems) => !isWrongType(problems));
    return (
      shaped ?? [
        wrongType(
          p,
          results.flatMap((problems) => problems[0]?.expected ?? []),
        ),
      ]
    );
  };
const mapping =
  (fields: Record<string, Check>, required: string[] = []): Check =>
  (v, p) => {
    if (!isPlainObject(v)) return [wrongType(p, ["a mapping"])];
    const problems = required
      .filter((key) => !(key in v))
      .map((key) => problem(p, `required key '${key}' not provided`));
    const allowed = `(allowed: ${Object.keys(fields).join(", ")})`;
    for (const [key, value] of Object.entries(v)) {
      const check = fields[key];
      if (check !== undefined) {
        problems.push(...check(value, [...p, key]));
        continue;
      }
      const extra = `extra key '${key}' not allowed${p.length === 0 ? " at the top level" : ""} ${allowed}`;
      // Named by the enclosing path, but at the unknown key's own line.
      problems.push({ ...problem(p, extra), path: [...p, key] });
    }
    return problems;
  };
const mapOf =
  (value: Check): Check =>
  (v, p) =>
    isPlainObject(v)
      ? Object.entries(v).flatMap(([key, item]) => value(item, [...p, key]))
      : [wrongType(p, ["a mapping"])];
const nullable =
  (check: Check): Check =>
  (v, p) =>
    v === null ? [] : check(v, p);

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
// DVC's schema allows any string, but only a `${...}` one resolves to something to iterate over.
const FOREACH_SOURCE = typed(
  "a list, a mapping or a '${...}' string",
  (v) => Array.isArray(v) || isPlainObject(v) || typeof v === "string",
);
const FOREACH_IN = mapping({ foreach: FOREACH_SOURCE, do: STAGE_DEFINITION }, ["foreach", "do"]);

const PLOT_DEFINITION = mapping({
  x: either(str, mapOf(str)),
  y: either(str, listOf(str), mapOf(either(str, listOf(str)))),
  x_label: str,
  y_label: str,
  title: str,
  template: str,
});
const ARTIFACT = mapping({ path: str, ...ANNOTATION }, ["path"]);

// In the order a reader looks for them: the allowed keys are listed in this order when one is unknown.
const TOP_LEVEL = mapping({
  stages: mapOf(anything),
  vars: listOf(either(str, mapOf(anything))),
  params: listOf(str),
  metrics: listOf(str),
  plots: listOf(either(str, mapOf(nullable(PLOT_DEFINITION)))),
  artifacts: mapOf(ARTIFACT),
  datasets: anything,
});

export function validateTopLevel(doc: unknown): SchemaProblem[] {
  return TOP_LEVEL(doc, []);
}

/** A stage is a foreach (when it has `foreach` or `do`) or a plain/matrix definition, as DVC's `either_or`. */
export function validateStageDefinition(name: string, def: unknown): SchemaProblem[] {
  const path = ["stages", name];
  if (isPlainObject(def) && ("foreach" in def || "do" in def)) return FOREACH_IN(def, path);
  return STAGE_DEFINITION(def, path);
}
