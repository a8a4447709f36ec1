/**
 * Expectation suites: a name and a list of GX expectations, read from YAML or JSON (JSON is read by the
 * YAML parser, so both report lines). Each expectation is written either FlowOps' short way,
 * `- expect_column_to_exist: { column: a }`, or as GX 1.x stores it, `{ type, kwargs, meta }` (GX 0.x's
 * `expectation_type` is read too). Every kwargs is checked here, so a suite that loads will run; errors
 * name the file, the line, the expectation's index and the field.
 */
import type { FlowOpsError } from "../../errors.js";
import { malformedFile, parseYamlText, readYamlFile, type YamlFile } from "../../data/yamlFile.js";
import { checkKwargs, expectationDefinition, unknownTypeMessage } from "./expectationCatalogue.js";
import type { ExpectationConfig } from "./validationResult.js";

export interface ExpectationSuite {
  readonly name: string;
  readonly expectations: readonly ExpectationConfig[];
  readonly meta?: Readonly<Record<string, unknown>>;
}

export async function loadExpectationSuite(path: string): Promise<ExpectationSuite> {
  return suiteFromYaml(await readYamlFile(path));
}

export function parseExpectationSuite(text: string, file: string): ExpectationSuite {
  return suiteFromYaml(parseYamlText(file, text));
}

/**
 * The columns the suite's expectations read, in first-use order. A caller opening the table with only these
 * materialised should keep just the ones the file has: a missing one fails its expectation, not the read.
 */
export function suiteColumns(suite: ExpectationSuite): string[] {
  const columns = new Set<string>();
  for (const expectation of suite.expectations) {
    const column = expectation.kwargs["column"];
    if (typeof column === "string") columns.add(column);
  }
  return [...columns];
}

type KeyPath = readonly (string | number)[];

function suiteFromYaml(yaml: YamlFile): ExpectationSuite {
  const fail = (at: KeyPath, message: string): FlowOpsError =>
    malformedFile(yaml.path, yaml.lineOf(at), message);
  const root = yaml.value;
  if (!isMapping(root)) {
    throw malformedFile(
      yaml.path,
      undefined,
      "an expectation suite is a mapping with `name` and `expectations`",
    );
  }
  const nameKey = "name" in root ? "name" : "expectation_suite_name";
  const name = root[nameKey];
  if (typeof name !== "string" || name.trim() === "") {
    throw fail([nameKey], "`name` must be a non-empty string naming the suite");
  }
  const items = root["expectations"];
  if (!Array.isArray(items)) {
    throw fail(["expectations"], "`expectations` must be a list of expectations");
  }
  const expectations = items.map((item, index) => readExpectation(item, index, fail));
  const meta = root["meta"];
  return { name, expectations, ...(isMapping(meta) ? { meta } : {}) };
}

function readExpectation(
  item: unknown,
  index: number,
  fail: (at: KeyPath, message: string) => FlowOpsError,
): ExpectationConfig {
  const at: KeyPath = ["expectations", index];
  const label = `expectations[${index}]`;
  const form = expectationForm(item);
  if (form === undefined) {
    throw fail(
      at,
      `${label}: expected a mapping whose one key is the expectation type ` +
        "(e.g. `- expect_column_to_exist: { column: a }`), or a mapping with `type` and `kwargs`",
    );
  }
  const definition = expectationDefinition(form.type);
  if (definition === undefined) throw fail(at, `${label}: ${unknownTypeMessage(form.type)}`);
  const kwargs = form.kwargs ?? {};
  const problem = checkKwargs(definition, kwargs);
  if (problem !== undefined) {
    throw fail([...at, ...form.kwargsKey, ...problem.path], `${label} (${form.type}): ${problem.message}`);
  }
  return {
    type: form.type,
    kwargs: kwargs as Record<string, unknown>,
    ...(isMapping(form.meta) ? { meta: form.meta } : {}),
  };
}

interface ExpectationForm {
  type: string;
  kwargs: unknown;
  /** Where the kwargs sit inside the item, for line numbers. */
  kwargsKey: KeyPath;
  meta?: unknown;
}

function expectationForm(item: unknown): ExpectationForm | undefined {
  if (!isMapping(item)) return undefined;
  const typeKey = "type" in item ? "type" : "expectation_type" in item ? "expectation_type" : undefined;
  if (typeKey !== undefined) {
    const type = item[typeKey];
    if (typeof type !== "string") return undefined;
    return { type, kwargs: item["kwargs"], kwargsKey: ["kwargs"], meta: item["meta"] };
  }
  const keys = Object.keys(item);
  const [type] = keys;
  if (keys.length !== 1 || type === undefined) return undefined;
  // `- expect_x:` with nothing after it reads as null: no kwargs given.
  return { type, kwargs: item[type] ?? undefined, kwargsKey: [type] };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
