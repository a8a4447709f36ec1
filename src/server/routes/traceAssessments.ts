/**
 * MLflow 3 assessment RPCs under /api/3.0/mlflow/traces/{trace_id}/assessments (CreateAssessment,
 * GetAssessment, UpdateAssessment, DeleteAssessment): the `Assessment` message in protobuf JSON is read
 * here into the store's terms; behaviour is in src/tracking/traces/assessments.ts.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidParameter } from "../../errors.js";
import {
  assessmentErrorFromWire,
  toAssessmentWire,
  type Assessment,
  type AssessmentError,
  type AssessmentKind,
  type AssessmentSourceType,
} from "../../tracking/traces/assessmentEntities.js";
import { AssessmentStore, type AssessmentChanges } from "../../tracking/traces/assessments.js";
import { parseProtoTimestamp } from "../../tracking/traces/protoTime.js";
import type { ServerContext } from "../context.js";
import { registerRpc } from "../rpc.js";
import { protoEnum } from "./protoScalars.js";

const V3_PREFIXES = ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] as const;

const sourceType = protoEnum<AssessmentSourceType>(
  { 0: "SOURCE_TYPE_UNSPECIFIED", 1: "HUMAN", 2: "LLM_JUDGE", 3: "CODE" },
  "refuse",
);
const errorWire = z.object({
  error_code: z.string().optional(),
  error_message: z.string().optional(),
  stack_trace: z.string().optional(),
});
const assessmentWire = z
  .object({
    assessment_id: z.string().optional(),
    assessment_name: z.string().optional(),
    span_id: z.string().optional(),
    source: z.object({ source_type: sourceType.optional(), source_id: z.string().optional() }).optional(),
    create_time: z.string().optional(),
    last_update_time: z.string().optional(),
    feedback: z.object({ value: z.unknown().optional(), error: errorWire.optional() }).optional(),
    expectation: z
      .object({
        value: z.unknown().optional(),
        serialized_value: z
          .object({ serialization_format: z.string().optional(), value: z.string().optional() })
          .optional(),
      })
      .optional(),
    issue: z.record(z.string(), z.unknown()).optional(),
    rationale: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    overrides: z.string().optional(),
  })
  .passthrough();
type AssessmentWire = z.output<typeof assessmentWire>;

const ids = { trace_id: z.string().min(1), assessment_id: z.string().min(1) };

export async function traceAssessmentRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const store = new AssessmentStore(ctx.meta, () => ctx.now());
  const answer = (a: Assessment) => ({ assessment: toAssessmentWire(a) });

  registerRpc(
    app,
    {
      method: "POST",
      path: "traces/:trace_id/assessments",
      request: z.object({ trace_id: ids.trace_id, assessment: assessmentWire.optional() }),
      async handle(input) {
        if (input.assessment === undefined) throw missing("assessment");
        const a = input.assessment;
        const { kind, valueJson, error } = readValue(a);
        return answer(
          await store.create({
            assessmentId: a.assessment_id || undefined,
            traceId: input.trace_id,
            name: a.assessment_name ?? "",
            kind,
            valueJson,
            error,
            sourceType: a.source?.source_type ?? "SOURCE_TYPE_UNSPECIFIED",
            sourceId: a.source?.source_id || undefined,
            createTime: timestamp(a.create_time, "create_time"),
            lastUpdateTime: timestamp(a.last_update_time, "last_update_time"),
            spanId: a.span_id || undefined,
            rationale: a.rationale || undefined,
            metadata: a.metadata ?? {},
            overrides: a.overrides || undefined,
          }),
        );
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "GET",
      path: "traces/:trace_id/assessments/:assessment_id",
      request: z.object(ids),
      async handle(input) {
        return answer(await store.get(input.trace_id, input.assessment_id));
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "PATCH",
      path: "traces/:trace_id/assessments/:assessment_id",
      request: z.object({
        ...ids,
        assessment: assessmentWire.optional(),
        update_mask: z.string().optional(),
      }),
      async handle(input) {
        if (input.assessment === undefined) throw missing("assessment");
        if (input.update_mask === undefined) throw missing("update_mask");
        const changes = readChanges(input.assessment, input.update_mask);
        return answer(await store.update(input.trace_id, input.assessment_id, changes));
      },
    },
    V3_PREFIXES,
  );

  registerRpc(
    app,
    {
      method: "DELETE",
      path: "traces/:trace_id/assessments/:assessment_id",
      request: z.object(ids),
      async handle(input) {
        await store.delete(input.trace_id, input.assessment_id);
        return {};
      },
    },
    V3_PREFIXES,
  );
}

function missing(field: string) {
  return invalidParameter(
    `Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`,
  );
}

function timestamp(text: string | undefined, field: string): number | undefined {
  return text === undefined ? undefined : parseProtoTimestamp(text, field);
}

/** The `value` oneof: exactly one of feedback, expectation and issue, as JSON text for the store. */
function readValue(a: AssessmentWire): {
  kind: AssessmentKind;
  valueJson: string;
  error: AssessmentError | undefined;
} {
  const set = (["feedback", "expectation", "issue"] as const).filter((k) => a[k] !== undefined);
  const [kind] = set;
  if (kind === undefined) throw invalidParameter("Unknown assessment type: None");
  // protobuf JSON refuses two members of one oneof; mlflow's parser keeps one silently, FlowOps says so.
  if (set.length > 1) {
    throw invalidParameter("Exactly one of `expectation`, `feedback`, or `issue` should be specified.");
  }
  if (kind === "feedback") return { kind, ...feedbackValue(a.feedback ?? {}) };
  if (kind === "expectation")
    return { kind, valueJson: expectationJson(a.expectation ?? {}), error: undefined };
  return { kind, valueJson: JSON.stringify(a.issue ?? {}), error: undefined };
}

function feedbackValue(feedback: NonNullable<AssessmentWire["feedback"]>): {
  valueJson: string;
  error: AssessmentError | undefined;
} {
  return {
    valueJson: JSON.stringify(feedback.value ?? null),
    error: assessmentErrorFromWire(feedback.error),
  };
}

function expectationJson(expectation: NonNullable<AssessmentWire["expectation"]>): string {
  const serialized = expectation.serialized_value;
  if (serialized === undefined) return JSON.stringify(expectation.value ?? null);
  const format = serialized.serialization_format ?? "";
  if (format !== "JSON_FORMAT") {
    throw invalidParameter(`Unknown serialization format: ${format}. Only JSON_FORMAT is supported.`);
  }
  const text = serialized.value ?? "";
  try {
    JSON.parse(text);
  } catch {
    throw invalidParameter(`Invalid JSON in the expectation's serialized_value: '${text}'.`);
  }
  return text;
}

/**
 * The update mask in protobuf JSON is one string of comma-separated lowerCamelCase paths
 * (`assessmentName,feedback`); a path the mask names takes the message's value even when unset, as
 * mlflow's handler reads it (an unset rationale becomes "").
 */
function readChanges(a: AssessmentWire, mask: string): AssessmentChanges {
  const changes: AssessmentChanges = {};
  for (const raw of mask.split(",")) {
    const path = raw.trim().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (path === "assessment_name") changes.name = a.assessment_name ?? "";
    else if (path === "feedback") changes.feedback = feedbackValue(a.feedback ?? {});
    else if (path === "expectation")
      changes.expectation = { valueJson: expectationJson(a.expectation ?? {}) };
    else if (path === "rationale") changes.rationale = a.rationale ?? "";
    else if (path === "metadata") changes.metadata = a.metadata ?? {};
    // mlflow's handler passes `valid` to a store that takes no such argument and fails with a 500.
    else if (path === "valid") throw invalidParameter("An assessment's `valid` field cannot be updated.");
  }
  return changes;
}
