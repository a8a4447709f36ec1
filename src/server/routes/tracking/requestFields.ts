/**
 * Request pieces shared by the tracking routes: how a run is named in a request (`run_id`, or the legacy
 * `run_uuid` the client also sends) and how experiment ids arrive (strings on the wire, numbers from some
 * callers). Schemas only; no handling.
 */
import { z } from "zod";
import type { RunStatus } from "../../../tracking/entities.js";
import { keyValue, list } from "../../wire.js";
import { protoEnum } from "../protoScalars.js";

/**
 * An object schema that has a required `run_id`, filled from `run_uuid` when only that is sent. An empty
 * `run_id` counts as missing, so the error names `run_id` as MLflow's does.
 */
export function withRunId<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(
    (value) => {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
      const fields = { ...(value as Record<string, unknown>) };
      if (fields.run_id === "" || fields.run_id === undefined) {
        delete fields.run_id;
        if (typeof fields.run_uuid === "string" && fields.run_uuid !== "") fields.run_id = fields.run_uuid;
      }
      return fields;
    },
    z.object({ run_id: z.string(), ...shape }),
  );
}

export const experimentId = () => z.union([z.string().min(1), z.number().int()]).transform(String);

export const tagList = () => list(keyValue).optional();

/** RunStatus by its proto numbers; a number outside them is refused, as MLflow's `_assert_string` does. */
export const runStatus = () =>
  protoEnum<RunStatus>({ 1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED" }, "refuse");
