/**
 * DVC's value diff (dvc/utils/diff.py), shared by `params diff` and `metrics diff`: flattened dotted keys,
 * `{old, new}` per changed key (all keys with `--all`), and `diff = new - old` when both are numbers
 * (Python bools count as numbers). Lists print as Python prints them, as DVC's `format_dict` does.
 */
import { flattenParams } from "./paramsFile.js";
import {
  isFloat,
  numericValue,
  pyEquals,
  pyFloat,
  PyInt,
  pyInt,
  pyRepr,
  type PyValue,
} from "./pythonValues.js";

export interface ValueChange {
  old: PyValue;
  new: PyValue;
  diff?: PyValue;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === "boolean") return Number(value);
  return numericValue(value);
}

function intDifference(before: unknown, after: unknown): bigint | undefined {
  const exact = (value: unknown): bigint | undefined =>
    value instanceof PyInt
      ? value.value
      : typeof value === "number" && Number.isInteger(value)
        ? BigInt(value)
        : undefined;
  const x = exact(before);
  const y = exact(after);
  return x === undefined || y === undefined ? undefined : y - x;
}

function display(value: PyValue | undefined): PyValue {
  if (value === undefined) return null;
  return Array.isArray(value) ? pyRepr(value) : value;
}

/**
 * `missing` is what a side reads for a key it lacks: None by default; dvc reads "unable to parse" on the side
 * of a metrics file that holds a lone value while the other holds a mapping.
 */
export function diffValues(
  old: unknown,
  next: unknown,
  withUnchanged: boolean,
  missing: { old?: PyValue; new?: PyValue } = {},
): Record<string, ValueChange> {
  const a = flattenParams(old);
  const b = flattenParams(next);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const result: Record<string, ValueChange> = {};
  for (const key of keys) {
    const before = a[key] ?? missing.old;
    const after = b[key] ?? missing.new;
    if (
      !withUnchanged &&
      (before === undefined ? after === undefined : after !== undefined && pyEquals(before, after))
    ) {
      continue;
    }
    const change: ValueChange = { old: display(before), new: display(after) };
    const x = asNumber(before);
    const y = asNumber(after);
    if (before instanceof PyInt || after instanceof PyInt) {
      // Two ints: their exact difference (Python's ints), unless either side is not an int at all.
      const bigDiff = intDifference(before, after);
      if (bigDiff !== undefined) change.diff = pyInt(bigDiff);
      else if (x !== undefined && y !== undefined) change.diff = pyFloat(y - x);
    } else if (x !== undefined && y !== undefined) {
      const difference = y - x;
      change.diff = isFloat(before) || isFloat(after) ? pyFloat(difference) : difference;
    }
    result[key] = change;
  }
  return result;
}
