/**
 * GX's column map expectations that judge one value at a time: not null, of type, between, in set, match
 * regex and value lengths between. Semantics follow great_expectations 1.2 on pandas; where a CSV gives
 * text, numbers and booleans are read from it per value (see cellInterpretation.ts).
 */
import { z } from "zod";
import type { TableChunk } from "../../tables/tableChunk.js";
import {
  booleanText,
  isMissing,
  isOfType,
  numericValue,
  VALUE_TYPES,
  type PresentValue,
  type ValueType,
} from "./cellInterpretation.js";
import { ColumnMapAccumulator, columnValues, PartialUnexpected } from "./columnMapAccumulator.js";
import {
  defineExpectation,
  type ExpectationAccumulator,
  type ExpectationOutcome,
  type ValidationContext,
} from "./expectationAccumulator.js";
import { compileGxRegex } from "./gxRegex.js";

export const columnName = z.string().min(1, "must name a column");
export const mostly = z.number().min(0).max(1).optional();
const bound = z.number().nullable().optional();

/** GX: "min_value and max_value cannot both be None". */
export const hasABound = (kwargs: {
  min_value?: number | null | undefined;
  max_value?: number | null | undefined;
}): boolean => (kwargs.min_value ?? null) !== null || (kwargs.max_value ?? null) !== null;
export const NO_BOUND_MESSAGE = "give min_value or max_value (at most one of them may be null)";

/** Nulls are the unexpected values here, so percentages are over all values and there is no missing count. */
class NotNullAccumulator implements ExpectationAccumulator {
  private elementCount = 0;
  private nullCount = 0;
  private readonly partial = new PartialUnexpected();

  constructor(
    private readonly column: string,
    private readonly mostly: number,
  ) {}

  observe(chunk: TableChunk): void {
    const values = columnValues(chunk, this.column);
    for (let i = 0; i < chunk.rowCount; i += 1) {
      if (values === undefined || isMissing(values[i] ?? null)) {
        this.nullCount += 1;
        this.partial.add(chunk.startRow + i, null);
      }
    }
    this.elementCount += chunk.rowCount;
  }

  outcome(): ExpectationOutcome {
    const total = this.elementCount;
    const success = total === 0 || (total - this.nullCount) / total >= this.mostly;
    const unexpectedPercent = total > 0 ? (this.nullCount / total) * 100 : null;
    return {
      success,
      result: {
        element_count: total,
        unexpected_count: this.nullCount,
        unexpected_percent: unexpectedPercent,
        unexpected_percent_total: unexpectedPercent,
        partial_unexpected_list: this.partial.unexpectedValues(),
        partial_unexpected_index_list: this.partial.rowNumbers(),
      },
    };
  }
}

export const notNullExpectation = defineExpectation(
  "expect_column_values_to_not_be_null",
  z.strictObject({ column: columnName, mostly }),
  (kwargs) => new NotNullAccumulator(kwargs.column, kwargs.mostly ?? 1),
);

class OfTypeAccumulator extends ColumnMapAccumulator {
  constructor(
    column: string,
    mostlyValue: number,
    context: ValidationContext,
    private readonly type: ValueType,
  ) {
    super(column, mostlyValue, context);
  }

  protected isUnexpected(value: PresentValue): boolean {
    return !isOfType(value, this.type, this.context.encoding);
  }
}

export const ofTypeExpectation = defineExpectation(
  "expect_column_values_to_be_of_type",
  z.strictObject({
    column: columnName,
    type_: z.enum(VALUE_TYPES, { error: `must be one of ${VALUE_TYPES.join(", ")}` }),
    mostly,
  }),
  (kwargs, context) => new OfTypeAccumulator(kwargs.column, kwargs.mostly ?? 1, context, kwargs.type_),
);

interface Range {
  min: number | null;
  max: number | null;
  strictMin: boolean;
  strictMax: boolean;
}

export function isWithin(x: number, range: Range): boolean {
  if (range.min !== null && (range.strictMin ? x <= range.min : x < range.min)) return false;
  if (range.max !== null && (range.strictMax ? x >= range.max : x > range.max)) return false;
  return true;
}

/** A map expectation that holds each value to a range (of the value itself, or of its length). */
abstract class RangeAccumulator extends ColumnMapAccumulator {
  constructor(
    column: string,
    mostlyValue: number,
    context: ValidationContext,
    protected readonly range: Range,
  ) {
    super(column, mostlyValue, context);
  }
}

/** Values that are not numbers (text that does not parse, booleans) are unexpected, not errors. */
class BetweenAccumulator extends RangeAccumulator {
  protected isUnexpected(value: PresentValue): boolean {
    const x = numericValue(value, this.context.encoding);
    return x === undefined || Number.isNaN(x) || !isWithin(x, this.range);
  }
}

export const betweenExpectation = defineExpectation(
  "expect_column_values_to_be_between",
  z
    .strictObject({
      column: columnName,
      min_value: bound,
      max_value: bound,
      strict_min: z.boolean().optional(),
      strict_max: z.boolean().optional(),
      mostly,
    })
    .refine(hasABound, { message: NO_BOUND_MESSAGE, path: ["min_value"] }),
  (kwargs, context) =>
    new BetweenAccumulator(kwargs.column, kwargs.mostly ?? 1, context, {
      min: kwargs.min_value ?? null,
      max: kwargs.max_value ?? null,
      strictMin: kwargs.strict_min ?? false,
      strictMax: kwargs.strict_max ?? false,
    }),
);

type SetMember = string | number | boolean;

/** Typed values match by JavaScript equality (1 and 1.0 are one number); CSV text also matches a set's
 *  numbers and booleans by value ("1.0" is in [1], "True" is in [true]). */
class InSetAccumulator extends ColumnMapAccumulator {
  private readonly members: Set<SetMember>;
  private readonly memberTexts: Set<string>;
  private readonly memberNumbers: Set<number>;
  private readonly memberBooleans: Set<boolean>;

  constructor(
    column: string,
    mostlyValue: number,
    context: ValidationContext,
    valueSet: readonly SetMember[],
  ) {
    super(column, mostlyValue, context);
    this.members = new Set(valueSet);
    this.memberTexts = new Set(valueSet.map(String));
    this.memberNumbers = new Set(valueSet.filter((v): v is number => typeof v === "number"));
    this.memberBooleans = new Set(valueSet.filter((v): v is boolean => typeof v === "boolean"));
  }

  protected isUnexpected(value: PresentValue): boolean {
    if (this.members.has(value)) return false;
    if (this.context.encoding === "typed" || typeof value !== "string") return true;
    if (this.memberTexts.has(value)) return false;
    const number = numericValue(value, "text");
    if (number !== undefined && this.memberNumbers.has(number)) return false;
    const boolean = booleanText(value);
    return boolean === undefined || !this.memberBooleans.has(boolean);
  }
}

export const inSetExpectation = defineExpectation(
  "expect_column_values_to_be_in_set",
  z.strictObject({
    column: columnName,
    value_set: z.array(z.union([z.string(), z.number(), z.boolean()])),
    mostly,
  }),
  (kwargs, context) => new InSetAccumulator(kwargs.column, kwargs.mostly ?? 1, context, kwargs.value_set),
);

/** A search, as GX on pandas (`str.contains`): anchor the pattern to match whole values. Typed values are
 *  matched as String(value). */
class MatchRegexAccumulator extends ColumnMapAccumulator {
  constructor(
    column: string,
    mostlyValue: number,
    context: ValidationContext,
    private readonly regex: RegExp,
  ) {
    super(column, mostlyValue, context);
  }

  protected isUnexpected(value: PresentValue): boolean {
    return !this.regex.test(String(value));
  }
}

const regexText = z.string().superRefine((pattern, ctx) => {
  const compiled = compileGxRegex(pattern);
  if (compiled instanceof Error) ctx.addIssue({ code: "custom", message: compiled.message });
});

export const matchRegexExpectation = defineExpectation(
  "expect_column_values_to_match_regex",
  z.strictObject({ column: columnName, regex: regexText, mostly }),
  (kwargs, context) => {
    const regex = compileGxRegex(kwargs.regex);
    if (regex instanceof Error) throw regex;
    return new MatchRegexAccumulator(kwargs.column, kwargs.mostly ?? 1, context, regex);
  },
);

/** Length in code points, as Python's len(); a typed non-string value has no length and is unexpected. */
class ValueLengthsAccumulator extends RangeAccumulator {
  protected isUnexpected(value: PresentValue): boolean {
    return typeof value !== "string" || !isWithin(codePointLength(value), this.range);
  }
}

function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) length -= 1;
  }
  return length;
}

const lengthBound = z.number().int().min(0).nullable().optional();

export const valueLengthsExpectation = defineExpectation(
  "expect_column_value_lengths_to_be_between",
  z
    .strictObject({ column: columnName, min_value: lengthBound, max_value: lengthBound, mostly })
    .refine(hasABound, { message: NO_BOUND_MESSAGE, path: ["min_value"] }),
  (kwargs, context) =>
    new ValueLengthsAccumulator(kwargs.column, kwargs.mostly ?? 1, context, {
      min: kwargs.min_value ?? null,
      max: kwargs.max_value ?? null,
      strictMin: false,
      strictMax: false,
    }),
);
