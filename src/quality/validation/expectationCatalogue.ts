/**
 * The known expectation types by name, how their kwargs are checked (one problem, worded for the person
 * editing the suite), and how an accumulator is made for one validation. An expectation on a column the
 * file does not have fails on its own with an exception naming the column, as GX does; the others run.
 */
import { invalidParameter } from "../../errors.js";
import { meanExpectation, medianExpectation, stdevExpectation } from "./aggregateExpectations.js";
import {
  betweenExpectation,
  inSetExpectation,
  matchRegexExpectation,
  notNullExpectation,
  ofTypeExpectation,
  valueLengthsExpectation,
} from "./columnMapExpectations.js";
import type {
  ExpectationAccumulator,
  ExpectationDefinition,
  ValidationContext,
} from "./expectationAccumulator.js";
import { freshnessExpectation } from "./freshnessExpectation.js";
import {
  columnExistsExpectation,
  columnsMatchOrderedListExpectation,
  columnsMatchSetExpectation,
  rowCountExpectation,
} from "./tableExpectations.js";
import { uniqueExpectation } from "./uniqueExpectation.js";
import type { ExpectationConfig } from "./validationResult.js";

const DEFINITIONS: ReadonlyMap<string, ExpectationDefinition> = new Map(
  [
    columnsMatchSetExpectation,
    columnsMatchOrderedListExpectation,
    rowCountExpectation,
    columnExistsExpectation,
    ofTypeExpectation,
    notNullExpectation,
    betweenExpectation,
    inSetExpectation,
    uniqueExpectation,
    matchRegexExpectation,
    valueLengthsExpectation,
    meanExpectation,
    medianExpectation,
    stdevExpectation,
    freshnessExpectation,
  ].map((definition) => [definition.type, definition]),
);

export const EXPECTATION_TYPES: readonly string[] = [...DEFINITIONS.keys()];

export function expectationDefinition(type: string): ExpectationDefinition | undefined {
  return DEFINITIONS.get(type);
}

export function unknownTypeMessage(type: string): string {
  return `unknown expectation type ${JSON.stringify(type)}; known types: ${EXPECTATION_TYPES.join(", ")}`;
}

/** The first thing wrong with `kwargs`, with the path of the field it concerns (empty: the kwargs). */
export interface KwargsProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export function checkKwargs(definition: ExpectationDefinition, kwargs: unknown): KwargsProblem | undefined {
  const parsed = definition.schema.safeParse(kwargs);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (issue === undefined) return { path: [], message: "invalid kwargs" };
  const path = issue.path.filter((key): key is string | number => typeof key !== "symbol");
  const field = path.join(".");
  if (path.length === 0 && (kwargs === null || typeof kwargs !== "object" || Array.isArray(kwargs))) {
    return { path, message: `kwargs must be a mapping of field names to values, got ${describe(kwargs)}` };
  }
  if (issue.code === "unrecognized_keys") {
    const unknown = issue.keys.map((key) => JSON.stringify(key)).join(", ");
    return {
      path: [...path, issue.keys[0] ?? ""],
      message: `unknown field ${unknown}; known fields: ${definition.fields.join(", ")}`,
    };
  }
  const value = valueAt(kwargs, path);
  if (issue.code === "invalid_type" && value === undefined) {
    return { path, message: `missing required field ${JSON.stringify(field)}` };
  }
  const got = value === undefined ? "" : ` (got ${describe(value)})`;
  return { path, message: `field ${JSON.stringify(field)}: ${issue.message}${got}` };
}

/** Builds the accumulator of one validated expectation for one file. */
export function createAccumulator(
  config: ExpectationConfig,
  context: ValidationContext,
  where: string,
): ExpectationAccumulator {
  const definition = DEFINITIONS.get(config.type);
  if (definition === undefined) throw invalidParameter(`${where}: ${unknownTypeMessage(config.type)}`);
  const problem = checkKwargs(definition, config.kwargs);
  if (problem !== undefined) throw invalidParameter(`${where} (${config.type}): ${problem.message}`);
  const column = config.kwargs["column"];
  if (definition.needsColumn && typeof column === "string" && !context.columns.includes(column)) {
    return missingColumn(column, context);
  }
  return definition.create(config.kwargs, context);
}

function missingColumn(column: string, context: ValidationContext): ExpectationAccumulator {
  const exceptionMessage =
    `column ${JSON.stringify(column)} does not exist in ${context.path}; ` +
    `its columns are: ${context.columns.join(", ") || "(none)"}`;
  return { observe: () => undefined, outcome: () => ({ success: false, result: {}, exceptionMessage }) };
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
