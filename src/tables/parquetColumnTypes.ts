/**
 * Which Parquet type each output column gets. A batch's column calls for one by its values (`batchElement`);
 * the files being joined into one (batch prediction's parts, each typed by its own rows) call for one that
 * holds all of theirs (`joinedElement`), chosen before any row is copied, so no part written earlier can turn
 * out not to fit. Every column is nullable.
 */

import type { FileMetaData } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";

import { isDecimal } from "./parquetStoredColumns.js";
import type { TypedArray, WriterColumn } from "./tableWriter.js";

/** A column's element in one of the files being joined, and whether that file holds only nulls in it. */
export interface FileColumn {
  readonly element: SchemaElement;
  readonly onlyNulls: boolean;
}

/**
 * The element the first batch's values call for: typed arrays keep their type (Float32Array -> FLOAT,
 * Float64Array -> DOUBLE, small integers -> INT32, 64-bit integers -> INT64), cells become DOUBLE when every
 * value is a number, BOOLEAN when every value is a boolean, else STRING (a column with only nulls is STRING).
 */
export function batchElement(name: string, values: WriterColumn): SchemaElement {
  const optional = { name, repetition_type: "OPTIONAL" } as const;
  if (values instanceof Float32Array) return { ...optional, type: "FLOAT" };
  if (values instanceof Float64Array) return { ...optional, type: "DOUBLE" };
  if (values instanceof BigInt64Array || values instanceof Uint32Array) return { ...optional, type: "INT64" };
  if (values instanceof BigUint64Array) return { ...optional, type: "INT64", converted_type: "UINT_64" };
  if (isTypedArray(values)) return { ...optional, type: "INT32" };
  let numbers = 0;
  let booleans = 0;
  let others = 0;
  for (const value of values) {
    if (typeof value === "number") numbers++;
    else if (typeof value === "boolean") booleans++;
    else if (value !== null) others++;
  }
  if (others === 0 && booleans === 0 && numbers > 0) return { ...optional, type: "DOUBLE" };
  if (others === 0 && numbers === 0 && booleans > 0) return { ...optional, type: "BOOLEAN" };
  return stringElement(name);
}

export function stringElement(name: string): SchemaElement {
  return { name, repetition_type: "OPTIONAL", type: "BYTE_ARRAY", converted_type: "UTF8" };
}

/**
 * The element for one column of files joined into one: theirs when they agree; where they differ, integers
 * widen to INT64, numbers to DOUBLE (as pandas joins int64 and float64 frames), and anything else mixed to
 * STRING (a column of numbers in some parts and text in others). A file with only nulls in the column has no
 * say: its writer chose a type without seeing a value.
 */
export function joinedElement(files: readonly FileColumn[]): SchemaElement {
  const first = files[0]?.element;
  if (first === undefined) throw new Error("joinedElement needs at least one file");
  const voiced = files.filter((file) => !file.onlyNulls).map((file) => file.element);
  const candidates = voiced.length > 0 ? voiced : [first];
  const own = candidates[0] as SchemaElement;
  const optional = { name: first.name, repetition_type: "OPTIONAL" } as const;
  if (candidates.every((element) => sameType(element, own))) return { ...own, ...optional };
  const kinds = candidates.map(numberKind);
  if (kinds.every((kind) => kind === "integer")) return { ...optional, type: "INT64" };
  if (kinds.every((kind) => kind !== undefined)) return { ...optional, type: "DOUBLE" };
  return stringElement(first.name);
}

/**
 * Each top-level column of a file with its element, and whether every row group's statistics count only
 * nulls in it (a column without statistics is taken to hold values).
 */
export function fileColumns(metadata: FileMetaData, elements: readonly SchemaElement[]): FileColumn[] {
  return elements.map((element) => {
    let nulls = 0n;
    for (const group of metadata.row_groups) {
      const chunk = group.columns.find((column) => column.meta_data?.path_in_schema[0] === element.name);
      const count = chunk?.meta_data?.statistics?.null_count;
      if (count === undefined) return { element, onlyNulls: false };
      nulls += BigInt(count);
    }
    return { element, onlyNulls: nulls === BigInt(metadata.num_rows) };
  });
}

export function sameType(a: SchemaElement, b: SchemaElement): boolean {
  return (
    a.type === b.type &&
    a.converted_type === b.converted_type &&
    a.logical_type?.type === b.logical_type?.type
  );
}

/** Whether two columns are DECIMALs that hold their values alike: the same type and scale. */
export function sameDecimal(a: SchemaElement, b: SchemaElement): boolean {
  return isDecimal(a) && isDecimal(b) && sameType(a, b) && (a.scale ?? 0) === (b.scale ?? 0);
}

/** How a plain number column joins others: "integer" for INT32 and INT64, "float" for FLOAT and DOUBLE. */
function numberKind(element: SchemaElement): "integer" | "float" | undefined {
  const logical = element.logical_type;
  const plain =
    (logical === undefined || (logical.type === "INTEGER" && logical.isSigned)) &&
    (element.converted_type === undefined ||
      ["INT_8", "INT_16", "INT_32", "INT_64"].includes(element.converted_type));
  if (!plain) return undefined;
  if (element.type === "INT32" || element.type === "INT64") return "integer";
  if (element.type === "FLOAT" || element.type === "DOUBLE") return "float";
  return undefined;
}

export function typeName(element: SchemaElement): string {
  if (element.converted_type === "UTF8") return "STRING";
  return element.converted_type === undefined
    ? String(element.type)
    : `${element.type} (${element.converted_type})`;
}

export function isTypedArray(values: WriterColumn | readonly unknown[]): values is TypedArray {
  return ArrayBuffer.isView(values);
}
