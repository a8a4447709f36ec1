/**
 * Nested Parquet values (lists, maps, structs) as the JSON values pandas' `to_json(orient="records", lines=True)`
 * writes for what `pd.read_parquet` gives (numpy arrays, lists of (key, value) tuples, dicts): a list as an array,
 * a map as an array of `[key, value]` pairs, a struct as an object with its fields in schema order, a float as a
 * float (`1.0`), an integer as its digits. The Parquet reader holds such a value as JSON text made by
 * `JSON.stringify` of hyparquet's value (parquetReader.ts), which spells a map as an object, a whole float as
 * `1` and an integer past 2^53 as a string; the column's schema tells those apart again. Unlike pandas, floats
 * keep every digit rather than 10 (see pandasFloatText.ts) and text is written as UTF-8, not `\u` escapes.
 */

import type { SchemaTree } from "hyparquet";

import { numberText } from "./tableWriter.js";

/** A nested column's cells (JSON text, or null) as pandas' JSON values' text; null stays null. */
export function pandasNestedJson(schema: SchemaTree, cells: ArrayLike<unknown>): (string | null)[] {
  const values = new Array<string | null>(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    values[i] = typeof cell === "string" ? valueText(schema, JSON.parse(cell), true) : null;
  }
  return values;
}

/** Whether a top-level field is nested (a group, or a repeated primitive), so its cells are JSON text. */
export function isNestedField(schema: SchemaTree): boolean {
  return schema.children.length > 0 || schema.element.repetition_type === "REPEATED";
}

/** `value` of the field `schema` describes; `repeated`: a REPEATED field's value is an array of its values. */
function valueText(schema: SchemaTree, value: unknown, repeated = false): string {
  if (value === null || value === undefined) return "null";
  if (repeated && schema.element.repetition_type === "REPEATED" && Array.isArray(value)) {
    return `[${value.map((item) => valueText(schema, item)).join(",")}]`;
  }
  const list = listElement(schema);
  if (list !== undefined && Array.isArray(value)) {
    return `[${value.map((item) => valueText(list, item)).join(",")}]`;
  }
  const map = mapEntries(schema);
  if (map !== undefined && typeof value === "object") {
    const pairs = Object.entries(value as Record<string, unknown>).map(
      ([key, item]) => `[${leafText(map.key, key)},${valueText(map.value, item)}]`,
    );
    return `[${pairs.join(",")}]`;
  }
  if (schema.children.length > 0 && typeof value === "object") {
    const fields = value as Record<string, unknown>;
    const members = schema.children.map(
      (child) =>
        `${JSON.stringify(child.element.name)}:${valueText(child, fields[child.element.name], true)}`,
    );
    return `{${members.join(",")}}`;
  }
  return leafText(schema, value);
}

/**
 * A primitive value by its Parquet type: a float as a float, an integer's digits as a number (a map key and an
 * integer past 2^53 come as text), anything else (text, base64 of bytes, ISO dates) as JSON.stringify writes it.
 */
function leafText(schema: SchemaTree, value: unknown): string {
  const { type, converted_type: converted, logical_type: logical } = schema.element;
  if (type === "FLOAT" || type === "DOUBLE") {
    const number = Number(value);
    if (!Number.isFinite(number)) return "null";
    const text = numberText(number, type === "FLOAT");
    // A whole float keeps its point, as pandas writes it; String writes exponents only from 1e21, with a point.
    if (!Number.isInteger(number) || /[e.]/.test(text)) return text;
    return Object.is(number, -0) ? "-0.0" : `${text}.0`;
  }
  const plainInteger =
    (type === "INT32" || type === "INT64") &&
    (converted === undefined || converted.startsWith("INT_") || converted.startsWith("UINT_")) &&
    (logical === undefined || logical.type === "INTEGER");
  if (plainInteger && (typeof value === "number" || /^-?\d+$/.test(String(value)))) return String(value);
  if (type === "BOOLEAN" && typeof value === "boolean") return String(value);
  return JSON.stringify(value) ?? "null";
}

/** A LIST's element field (the middle "list" group skipped, as hyparquet assembles it), else undefined. */
function listElement(schema: SchemaTree): SchemaTree | undefined {
  if (schema.element.converted_type !== "LIST" || schema.children.length !== 1) return undefined;
  const repeated = schema.children[0] as SchemaTree;
  if (repeated.element.repetition_type !== "REPEATED" || repeated.children.length > 1) return undefined;
  return repeated.children.length === 1 ? (repeated.children[0] as SchemaTree) : repeated;
}

/** A MAP's key and value fields, else undefined. */
function mapEntries(schema: SchemaTree): { key: SchemaTree; value: SchemaTree } | undefined {
  if (schema.element.converted_type !== "MAP" || schema.children.length !== 1) return undefined;
  const entries = (schema.children[0] as SchemaTree).children;
  const key = entries.find((child) => child.element.name === "key");
  const value = entries.find((child) => child.element.name === "value");
  return key === undefined || value === undefined ? undefined : { key, value };
}
