/**
 * MLflow 3 label schema RPCs under /api/3.0/mlflow/label-schemas (CreateLabelSchema, GetLabelSchema,
 * GetLabelSchemaByName, ListLabelSchemas, UpdateLabelSchema, DeleteLabelSchema) as `mlflow.genai.label_schemas`
 * calls them. Requests are read here the way `mlflow server` reads them: the ids and names its handlers check
 * with `_assert_string` are refused when not text, and every other field is read as protobuf's JSON parser
 * reads it, so what it cannot parse is left unset rather than refused. Behaviour is in src/tracking/labelSchemas.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidParameter } from "../../errors.js";
import { toLabelSchemaWire, type LabelSchemaInput } from "../../tracking/labelSchemas/entities.js";
import { LabelSchemaStore } from "../../tracking/labelSchemas/store.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { leadingStrings, protoBool, protoEnum, protoString, requiredString } from "./protoScalars.js";
import { listingMaxResults, protoQueryInteger } from "./queryIntegers.js";

const V3_PREFIXES = ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] as const;

const DEFAULT_MAX_RESULTS = 100;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

const labelSchemaType = protoEnum({ 1: "FEEDBACK", 2: "EXPECTATION" } as const, "unset");
const typeOf = (value: unknown) => labelSchemaType.safeParse(value).data;

const int64Of = (value: unknown) => protoQueryInteger("int64").parse(value);

/**
 * protobuf's `_ConvertFloat`: a finite number, a bool as 1 or 0, or text Python's `float()` reads ("NaN",
 * "Infinity", "1e400"), except the lower-case "nan" protobuf turns away.
 */
function doubleOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "string" || value === "nan") return undefined;
  const trimmed = value.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(trimmed);
  if (special !== null) {
    if (special[2]?.toLowerCase() === "nan") return Number.NaN;
    return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!/^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?$/.test(trimmed))
    return undefined;
  return Number(trimmed.replaceAll("_", ""));
}

/**
 * The `LabelSchemaInput` oneof: the first variant named with anything but null, which protobuf sets before
 * reading its fields (so `{"text": "x"}` is a text input with no limit); a second variant stops the parser.
 */
function inputOf(value: unknown): LabelSchemaInput | undefined {
  if (!isObject(value)) return undefined;
  for (const [variant, raw] of Object.entries(value)) {
    if (raw === null) continue;
    const fields = isObject(raw) ? raw : {};
    switch (variant) {
      case "pass_fail":
        return {
          kind: "pass_fail",
          positiveLabel: text(fields["positive_label"]) ?? "",
          negativeLabel: text(fields["negative_label"]) ?? "",
        };
      case "categorical":
        return {
          kind: "categorical",
          options: leadingStrings(fields["options"]),
          multiSelect: fields["multi_select"] === true,
        };
      case "numeric":
        return {
          kind: "numeric",
          minValue: doubleOf(fields["min_value"]),
          maxValue: doubleOf(fields["max_value"]),
        };
      case "text":
        return { kind: "text", maxLength: int64Of(fields["max_length"]) };
    }
  }
  return undefined;
}

function requiredInput(value: unknown): LabelSchemaInput {
  const input = inputOf(value);
  if (input === undefined) {
    throw invalidParameter(
      "Label schema `input` must have exactly one of `pass_fail`, `categorical`, `numeric`, or `text` set; got an empty oneof.",
    );
  }
  return input;
}

export async function labelSchemaRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const store = new LabelSchemaStore(ctx.meta, () => ctx.now());

  registerRpc(
    app,
    {
      method: "POST",
      path: "label-schemas/create",
      request: z.object({
        experiment_id: requiredString(),
        name: requiredString(),
        type: z.unknown().optional(),
        input: z.unknown().optional(),
        instruction: protoString(),
        enable_comment: protoBool(),
      }),
      async handle(body) {
        const type = typeOf(body.type);
        if (type === undefined) {
          throw invalidParameter(
            "Label schema `type` must be one of FEEDBACK or EXPECTATION; got proto enum value 0.",
          );
        }
        const schema = await store.create(body.experiment_id, {
          name: body.name,
          type,
          input: requiredInput(body.input),
          instruction: body.instruction,
          enableComment: body.enable_comment ?? false,
        });
        return { label_schema: toLabelSchemaWire(schema) };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "label-schemas/get",
      request: z.object({ schema_id: requiredString() }),
      async handle(query) {
        return { label_schema: toLabelSchemaWire(await store.get(query.schema_id)) };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "label-schemas/get-by-name",
      request: z.object({ experiment_id: requiredString(), name: requiredString() }),
      async handle(query) {
        return { label_schema: toLabelSchemaWire(await store.getByName(query.experiment_id, query.name)) };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "label-schemas/list",
      request: z.object({
        experiment_id: requiredString(),
        max_results: z.unknown().optional(),
        page_token: protoString(),
      }),
      async handle(query) {
        const page = await store.list(
          query.experiment_id,
          listingMaxResults(query.max_results) ?? DEFAULT_MAX_RESULTS,
          query.page_token,
        );
        // Protobuf JSON leaves out an empty repeated field, but mlflow always sets the token, "" on the last page.
        return {
          ...(page.schemas.length === 0 ? {} : { label_schemas: page.schemas.map(toLabelSchemaWire) }),
          next_page_token: page.nextPageToken ?? "",
        };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "PATCH",
      path: "label-schemas/update",
      request: z.object({
        schema_id: requiredString(),
        name: protoString(),
        instruction: protoString(),
        enable_comment: protoBool(),
        input: z.unknown().optional(),
      }),
      async handle(body) {
        // Any `input` but null is read, and one with no variant refused, before the schema is looked up.
        const input = body.input === undefined || body.input === null ? undefined : requiredInput(body.input);
        const schema = await store.update(body.schema_id, {
          name: body.name,
          instruction: body.instruction,
          enableComment: body.enable_comment,
          input,
        });
        return { label_schema: toLabelSchemaWire(schema) };
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "DELETE",
      path: "label-schemas/delete",
      request: z.object({ schema_id: requiredString() }),
      async handle(body) {
        await store.delete(body.schema_id);
        return {};
      },
    },
    V3_PREFIXES,
  );
}
