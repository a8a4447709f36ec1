/**
 * Request pieces shared by the tracking routes: how a run is named in a request (`run_id`, or the legacy
 * `run_uuid` the client also sends) and how experiment ids arrive (strings on the wire, numbers from some
 * callers). Schemas only; no handling.
 */
import { z } from "zod";
import type { RunStatus } from "../../../tracking/entities.js";
import { keyValue, list } from "../../wire.js";
import { protoEnum } from "../protoScalars.js";
import { pythonTypeName } from "../queryIntegers.js";

/**
 * An object schema that has a required `run_id`, filled from `run_uuid` when `run_id` is not sent or is null,
 * as MLflow's request check does. A `run_id` sent empty (`run_id=&run_uuid=<id>`) is not filled: MLflow
 * answers "Missing value for required parameter 'run_id'" there, and so do we (parseRequest has already
 * made the empty string undefined, keeping the key, and dropped a null: see withoutEmptyRequiredText).
 */
export function withRunId<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(
    (value) => {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
      const fields = { ...(value as Record<string, unknown>) };
      if (Object.hasOwn(fields, "run_id") && fields.run_id !== null) {
        if (fields.run_id === "") delete fields.run_id;
        return fields;
      }
      delete fields.run_id;
      if (typeof fields.run_uuid === "string" && fields.run_uuid !== "") fields.run_id = fields.run_uuid;
      return fields;
    },
    z.object({ run_id: z.string(), ...shape }),
  );
}

/** runs/create's body reads integers beyond 2^53 as BigInts (int64Bodies.ts), so an id may be one of those. */
export const experimentId = () =>
  z.union([z.string().min(1), z.number().int(), z.bigint()]).transform(String);

export const tagList = () => list(keyValue).optional();

/** RunStatus by its proto numbers; a number outside them is refused, as MLflow's `_assert_string` does. */
export const runStatus = () =>
  protoEnum<RunStatus>({ 1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED" }, "refuse");

/**
 * A string field MLflow's handler checks with `_assert_string` alone (a run's name): absent or null is
 * unset, and any other non-string is refused with mlflow's type hint rather than zod's wording.
 */
export const assertedString = () =>
  z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined || value === null || typeof value === "string") return value ?? undefined;
      ctx.addIssue({ code: "custom", message: ` Hint: Value was of type '${pythonTypeName(value)}'` });
      return z.NEVER;
    })
    .optional() as unknown as z.ZodType<string | undefined>;

/** As assertedString, for a value protobuf leaves at "" when unset (a tag's or a param's value). */
export const assertedStringOrEmpty = () =>
  assertedString().transform((value) => value ?? "") as unknown as z.ZodType<string>;
