import { describe, expect, it } from "vitest";
import { sqliteBackend } from "../../../test/support/backends.js";
import { useRecordingServer } from "./deploymentsFixtures.js";

describe("deployment and endpoint routes", () => {
  const server = useRecordingServer(sqliteBackend);

  it("creates a deployment with the rollout, templates and webhooks given", async () => {
    const status = await server.client.deployments.create({
      name: "churn",
      modelUri: "models:/churn/3",
      strategy: "blue-green",
      rolloutYaml: "strategy: {}",
      rolloutFile: "rollout.yaml",
      analysisTemplates: [{ yaml: "kind: AnalysisTemplate", file: "errors.yaml" }],
      webhooks: ["http://hooks.example/flowops"],
    });
    expect(status).toMatchObject({ name: "churn", stable: "models:/churn/3" });
    expect(server.calls).toEqual([
      {
        method: "create",
        args: [
          {
            name: "churn",
            modelUri: "models:/churn/3",
            strategy: "blue-green",
            specYaml: "strategy: {}",
            specFile: "rollout.yaml",
            templates: [{ yaml: "kind: AnalysisTemplate", file: "errors.yaml" }],
            webhooks: ["http://hooks.example/flowops"],
          },
        ],
      },
    ]);
  });

  it("rejects a create without a model uri, naming the field", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/api/v1/deployments",
      payload: { name: "churn" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error_code: "INVALID_PARAMETER_VALUE",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("'model_uri'"),
    });
    expect(server.calls).toEqual([]);
  });

  it("rejects a strategy the controller does not know", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/api/v1/deployments",
      payload: { name: "churn", model_uri: "models:/churn/3", strategy: "linear" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain("'strategy'");
  });

  it("passes each rollout command to the controller with its arguments", async () => {
    expect((await server.client.deployments.deploy("churn", "models:/churn/4")).candidate).toBe(
      "models:/churn/4",
    );
    await server.client.deployments.promote("churn", { full: true });
    expect((await server.client.deployments.abort("churn", { reason: "tickets" })).abortedReason).toBe(
      "tickets",
    );
    await server.client.deployments.retry("churn");
    await server.client.deployments.undo("churn");
    await server.client.deployments.remove("churn");
    expect(server.calls).toEqual([
      { method: "deploy", args: ["churn", "models:/churn/4"] },
      { method: "promote", args: ["churn", true] },
      { method: "abort", args: ["churn", "tickets"] },
      { method: "retry", args: ["churn"] },
      { method: "undo", args: ["churn"] },
      { method: "remove", args: ["churn"] },
    ]);
  });

  it("passes a new rollout spec, templates and webhooks given with a deploy to the controller", async () => {
    await server.client.deployments.deploy("churn", "models:/churn/5", {
      rolloutYaml: "strategy: {blueGreen: {}}",
      rolloutFile: "blue-green.yaml",
      analysisTemplates: [{ yaml: "kind: AnalysisTemplate", file: "errors.yaml" }],
      webhooks: ["http://hooks.example/flowops"],
    });
    await server.client.deployments.deploy("churn", "models:/churn/6", { strategy: "shadow" });
    expect(server.calls).toEqual([
      {
        method: "deploy",
        args: [
          "churn",
          "models:/churn/5",
          {
            specYaml: "strategy: {blueGreen: {}}",
            specFile: "blue-green.yaml",
            templates: [{ yaml: "kind: AnalysisTemplate", file: "errors.yaml" }],
            webhooks: ["http://hooks.example/flowops"],
          },
        ],
      },
      { method: "deploy", args: ["churn", "models:/churn/6", { strategy: "shadow" }] },
    ]);
  });

  it("rejects a deploy whose templates lack their file, naming the field", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/api/v1/deployments/churn/deploy",
      payload: { model_uri: "models:/churn/5", analysis_templates: [{ yaml: "kind: AnalysisTemplate" }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain("analysis_templates");
    expect(server.calls).toEqual([]);
  });

  it("reads status, the list and events after an id", async () => {
    expect((await server.client.deployments.status("churn")).phase).toBe("Healthy");
    expect((await server.client.deployments.list()).map((d) => d.name)).toEqual(["churn"]);
    expect(await server.client.deployments.events("churn", { afterId: 6 })).toEqual([
      { id: 7, deployment: "churn", at: 5, kind: "StepCompleted", details: "step 1" },
    ]);
    expect(server.calls.at(-1)).toEqual({ method: "events", args: ["churn", 6] });
  });

  it("answers 404 with the controller's error for an unknown deployment", async () => {
    const response = await server.app.inject({ method: "GET", url: "/api/v1/deployments/missing" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      sqlstate: "KAM00",
      error_class: "RESOURCE_NOT_FOUND",
      message: "Deployment 'missing' does not exist.",
    });
  });

  it("matches one label, and a batch in order", async () => {
    const one = await server.app.inject({
      method: "POST",
      url: "/api/v1/feedback",
      payload: { request_id: "known", label: 1 },
    });
    expect(one.json()).toEqual({ matched: true, endpoint: "churn", correct: true });
    expect(
      await server.client.deployments.feedback([
        { requestId: "unknown", label: "yes" },
        { requestId: "known", label: true },
      ]),
    ).toEqual([
      { requestId: "unknown", matched: false },
      { requestId: "known", matched: true, endpoint: "churn", correct: true },
    ]);
    expect(server.calls.map((c) => c.args)).toEqual([
      ["known", 1],
      ["unknown", "yes"],
      ["known", true],
    ]);
  });

  it("rejects feedback without a label", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/api/v1/feedback",
      payload: { request_id: "x" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain("'label'");
  });
});
