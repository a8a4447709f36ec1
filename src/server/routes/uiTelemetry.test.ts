import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../test/support/testServer.js";

/** Answers recorded from `mlflow server` 3.17.2, which has no telemetry client to hand records to. */
describe("the UI telemetry route", () => {
  let server: TestServer;
  const saved = { ...process.env };
  const path = "/ajax-api/3.0/mlflow/ui-telemetry";
  const post = (body: string, contentType = "application/json") =>
    fetch(`${server.url}${path}`, { method: "POST", body, headers: { "content-type": contentType } });

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it("answers MLflow's fallback config: UI telemetry off", async () => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.text()).toBe(
      '{"disable_ui_events":[],"disable_ui_telemetry":true,"ui_rollout_percentage":0}\n',
    );
  });

  it("tells the UI to stop sending records, and that no records is success", async () => {
    const cases: [string, string, string][] = [
      ['{"records": [{"event_name": "x"}]}', "application/json", "disabled"],
      ["{}", "application/json", "success"],
      ['{"records": []}', "application/json", "success"],
      ["", "application/json", "disabled"],
      ["[1]", "application/json", "disabled"],
      ["not json", "application/json", "disabled"],
      ["{}", "text/plain", "disabled"],
    ];
    for (const [body, contentType, status] of cases) {
      const response = await post(body, contentType);
      expect([response.status, await response.text()], `${contentType} ${body}`).toEqual([
        200,
        `{"status":"${status}"}\n`,
      ]);
    }
  });

  it("answers disabled even to no records when DO_NOT_TRACK is set", async () => {
    process.env.DO_NOT_TRACK = "true";
    expect(await (await post("{}")).text()).toBe('{"status":"disabled"}\n');
  });
});
