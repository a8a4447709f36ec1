/**
 * How MLflow's server reads the top-level fields of a request message before its handler's checks run, for
 * the request schemas FlowOps validates with zod: a query string's repeated key counts once unless the field
 * is repeated, and an empty string in a required field counts as not sent (proto3 cannot tell them apart).
 * Reads schemas and inputs only; the errors are `parseRequest`'s.
 */
import { z } from "zod";

/** The fields of a request schema's object, looking through optional, default, preprocess and transform. */
export function requestFieldsOf(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, z.ZodType>;
  if (schema instanceof z.ZodPipe) {
    return requestFieldsOf(schema.out as z.ZodType) ?? requestFieldsOf(schema.in as z.ZodType);
  }
  const inner = unwrapped(schema);
  return inner === undefined ? undefined : requestFieldsOf(inner);
}

function unwrapped(schema: z.ZodType): z.ZodType | undefined {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodReadonly
  ) {
    return schema.unwrap() as z.ZodType;
  }
  return undefined;
}

/** Whether a field holds a list: `list(...)`, an array, or a union with an array among its options. */
function isRepeated(field: z.ZodType): boolean {
  if (field instanceof z.ZodArray) return true;
  if (field instanceof z.ZodPipe) return isRepeated(field.out as z.ZodType);
  if (field instanceof z.ZodUnion) return (field.options as readonly z.ZodType[]).some(isRepeated);
  const inner = unwrapped(field);
  return inner !== undefined && isRepeated(inner);
}

/**
 * A query string's fields as MLflow reads them: a key sent more than once keeps every value for a repeated
 * field and only the first otherwise (werkzeug's `args.get`), so `run_id=a&run_id=b` asks for run a.
 */
export function firstOfRepeatedQueryKeys(
  schema: z.ZodType,
  query: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const fields = requestFieldsOf(schema);
  if (fields === undefined) return { ...query };
  return Object.fromEntries(
    Object.entries(query).map(([key, value]) => {
      const field = fields[key];
      const single = field !== undefined && Array.isArray(value) && !isRepeated(field);
      return [key, single ? (value as unknown[])[0] : value];
    }),
  );
}

/**
 * The input as MLflow's `_assert_required` sees its required text fields: an empty string or a null counts as
 * missing (`experiment_name=`, `{"name": ""}` and `{"name": null}` are all "Missing value"). A null is dropped
 * (protobuf reads it as not sent); an empty string becomes undefined with its key kept, because MLflow tells
 * the two apart in one place: it falls back from run_id to run_uuid only when run_id is not sent (see
 * withRunId). A field counts as required text when it refuses undefined and null and takes a string; optional
 * fields keep their "". Only top-level fields: nested ones (tag keys) are the stores' to judge, as in MLflow.
 */
export function withoutEmptyRequiredText(schema: z.ZodType, input: unknown): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const fields = requestFieldsOf(schema);
  if (fields === undefined) return input;
  const record = input as Record<string, unknown>;
  const emptyRequired = Object.keys(record).filter((key) => {
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    return (record[key] === "" || record[key] === null) && field !== undefined && isRequiredText(field);
  });
  if (emptyRequired.length === 0) return input;
  const kept = { ...record };
  for (const key of emptyRequired) {
    if (kept[key] === null) delete kept[key];
    else kept[key] = undefined;
  }
  return kept;
}

function isRequiredText(field: z.ZodType): boolean {
  return (
    !field.safeParse(undefined).success && !field.safeParse(null).success && field.safeParse("a").success
  );
}
