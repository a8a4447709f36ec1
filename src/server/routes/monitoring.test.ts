import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsClient } from "../../client/index.js";
import { detectDrift } from "../../monitoring/drift/datasetDrift.js";
import { buildProfile } from "../../monitoring/drift/referenceProfile.js";
import { DriftReportStore } from "../../monitoring/online/driftReportStore.js";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

const table = [
  { name: "age", values: Float64Array.from([21, 35, 47, 52, 63, 70]) },
  { name: "plan", values: ["basic", "pro", "basic", null, "pro", "pro"] },
];

describe("monitoring routes", () => {
  let server: TestServer;
  let client: FlowOpsClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = new FlowOpsClient({ trackingUri: server.url, retries: 0 });
    const experimentId = await client.experiments.create("monitoring");
    const run = await client.runs.create({ experimentId });
    await client.registry.createRegisteredModel("churn");
    await client.registry.createModelVersion("churn", `runs:/${run.info.run_id}/model`, {
      runId: run.info.run_id,
    });
  });
  afterAll(async () => {
    await server.close();
  });

  async function put(
    body: object,
  ): Promise<{ status: number; json: { error_code?: string; message?: string } }> {
    const response = await fetch(`${server.url}/api/v1/monitoring/profiles`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as { error_code?: string } };
  }

  it("stores a registered version's profile and hands it back unchanged", async () => {
    const profile = buildProfile(table);
    const stored = await client.monitoring.putProfile({ modelName: "churn", version: 1, profile });
    expect(stored).toMatchObject({
      modelName: "churn",
      version: "1",
      rows: 6,
      columns: [
        { name: "age", kind: "numerical" },
        { name: "plan", kind: "categorical" },
      ],
    });
    expect((await client.monitoring.getProfile("churn", "1")).profile).toEqual(profile);
  });

  it("refuses a profile for a version the registry does not have", async () => {
    const response = await put({ model_name: "churn", version: "7", profile: buildProfile(table) });
    expect(response.status).toBe(404);
    expect(response.json.message).toContain("version=7");
  });

  it("names the field of a malformed profile", async () => {
    const profile = buildProfile(table);
    const broken = { ...profile, columns: [{ ...profile.columns[0], sample: "1,2,3" }] };
    const response = await put({ model_name: "churn", version: "1", profile: broken });
    expect(response.status).toBe(400);
    expect(response.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(response.json.message).toContain("profile.columns[0]");
  });

  it("answers RESOURCE_DOES_NOT_EXIST with the command that stores a missing profile", async () => {
    await expect(client.monitoring.getProfile("churn", "9")).rejects.toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: expect.stringContaining("flowops monitor profile models:/churn/9"),
    });
  });

  it("lists an endpoint's drift reports newest first", async () => {
    const reports = new DriftReportStore(server.ctx.meta);
    const report = detectDrift(table, table);
    for (const windowEnd of [15_000, 30_000]) {
      await reports.add({
        endpoint: "churn",
        model: "models:/churn/1",
        windowStart: windowEnd - 15_000,
        windowEnd,
        rows: 6,
        report,
      });
    }
    const listed = await client.monitoring.driftReports("churn");
    expect(listed.reports.map((row) => row.windowEnd)).toEqual([30_000, 15_000]);
    expect(listed.reports[0]).toMatchObject({ model: "models:/churn/1", datasetDrift: false, share: 0 });
    expect(listed.reports[0]?.report.columns.map((column) => column.column)).toEqual(["age", "plan"]);
    expect(listed.status).toBeUndefined();
    expect((await client.monitoring.driftReports("churn", { limit: 1 })).reports).toHaveLength(1);
    await expect(client.monitoring.driftReports("churn", { limit: 0 })).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
    });
  });
});
