import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  jsonCaller,
  startTestServer,
  type TestServer,
  type WireBody,
} from "../../../test/support/testServer.js";
import { createExperiment } from "../../tracking/experimentStore.js";

describe("trace assessment routes", () => {
  let server: TestServer;
  const base = "/api/3.0/mlflow/traces/tr-a/assessments";
  const call = jsonCaller(() => server);

  beforeAll(async () => {
    server = await startTestServer();
    const experimentId = await createExperiment(server.ctx.meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    const created = await call("POST", "/api/3.0/mlflow/traces", {
      trace: {
        trace_info: {
          trace_id: "tr-a",
          trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } },
          request_time: "2026-12-06T09:03:02.326Z",
          state: "OK",
        },
      },
    });
    expect(created.status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  it("creates, reads, updates, overrides and deletes as the 3.x client sends them", async () => {
    // The body log_feedback sends, as recorded against mlflow 3.17.2.
    const created = await call("POST", base, {
      assessment: {
        assessment_name: "correct",
        trace_id: "tr-a",
        source: { source_type: "HUMAN", source_id: "bob@x" },
        create_time: "2026-12-06T13:21:27.669Z",
        last_update_time: "2026-12-06T13:21:27.669Z",
        feedback: { value: true },
        rationale: "looks right",
        metadata: { k: "v" },
        valid: true,
      },
    });
    expect(created.status).toBe(200);
    const id = created.body.assessment.assessment_id as string;
    const expected = {
      assessment_id: id,
      assessment_name: "correct",
      trace_id: "tr-a",
      source: { source_type: "HUMAN", source_id: "bob@x" },
      create_time: "2026-12-06T13:21:27.669Z",
      last_update_time: "2026-12-06T13:21:27.669Z",
      feedback: { value: true },
      rationale: "looks right",
      metadata: { k: "v" },
      valid: true,
    };
    expect(created.body).toEqual({ assessment: expected });
    expect((await call("GET", `${base}/${id}`)).body).toEqual({ assessment: expected });

    const expectation = await call("POST", base, {
      assessment: {
        assessment_name: "expected",
        source: { source_type: 1 },
        expectation: {
          serialized_value: { serialization_format: "JSON_FORMAT", value: '{"answer": [1, 2]}' },
        },
      },
    });
    expect(expectation.body.assessment.expectation).toEqual({
      serialized_value: { serialization_format: "JSON_FORMAT", value: '{"answer": [1, 2]}' },
    });

    const updated = await call("PATCH", `${base}/${id}`, {
      assessment: {
        assessment_id: id,
        assessment_name: "correct2",
        feedback: { value: 0.5 },
        rationale: "new",
      },
      update_mask: "assessmentName,feedback,rationale",
    });
    expect(updated.status).toBe(200);
    expect(updated.body.assessment).toMatchObject({
      assessment_name: "correct2",
      feedback: { value: 0.5 },
      rationale: "new",
      metadata: { k: "v" },
      create_time: "2026-12-06T13:21:27.669Z",
    });

    const override = await call("POST", base, {
      assessment: { assessment_name: "correct2", feedback: { value: false }, overrides: id },
    });
    expect(override.body.assessment).toMatchObject({ overrides: id, valid: true });
    const trace = await call("GET", "/api/3.0/mlflow/traces/tr-a");
    const listed = trace.body.trace.trace_info.assessments as WireBody[];
    expect(listed.map((a) => [a.assessment_name, a.valid])).toEqual([
      ["correct2", false],
      ["expected", true],
      ["correct2", true],
    ]);

    expect((await call("DELETE", `${base}/${override.body.assessment.assessment_id}`)).body).toEqual({});
    expect((await call("GET", `${base}/${id}`)).body.assessment.valid).toBe(true);
  });

  it("answers errors with mlflow's codes and messages", async () => {
    expect(await call("POST", base, {})).toEqual({
      status: 400,
      body: {
        error_code: "INVALID_PARAMETER_VALUE",
        message:
          "Missing value for required parameter 'assessment'. See the API docs for more information about request parameters.",
        sqlstate: "KAM00",
        error_class: "INVALID_PARAMETER_VALUE",
      },
    });
    expect((await call("POST", base, { assessment: { assessment_name: "x" } })).body.message).toBe(
      "Unknown assessment type: None",
    );
    const yaml = await call("POST", base, {
      assessment: { expectation: { serialized_value: { serialization_format: "YAML", value: "1" } } },
    });
    expect(yaml.body.message).toBe("Unknown serialization format: YAML. Only JSON_FORMAT is supported.");
    const missingTrace = await call("POST", "/api/3.0/mlflow/traces/tr-x/assessments", {
      assessment: { feedback: { value: 1 } },
    });
    expect([missingTrace.status, missingTrace.body.message]).toEqual([
      404,
      "Trace with ID 'tr-x' not found.",
    ]);
    const missing = await call("GET", `${base}/a-missing`);
    expect([missing.status, missing.body.error_code, missing.body.message]).toEqual([
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "Assessment with ID 'a-missing' not found for trace 'tr-a'",
    ]);
    expect((await call("PATCH", `${base}/a-missing`, { assessment: {} })).body.message).toMatch(
      /^Missing value for required parameter 'update_mask'/,
    );
    expect((await call("DELETE", "/api/3.0/mlflow/traces/tr-x/assessments/a-x")).status).toBe(200);
  });
});
