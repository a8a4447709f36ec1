import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { MLFLOW_TIMEOUT_BODY, sendKServeError, sendMlflowError } from "./servingErrors.js";

async function answer(send: typeof sendMlflowError, error: unknown) {
  const server = Fastify({ logger: false });
  server.get("/", async (request, reply) => {
    send(request, reply, error, 1024);
    return reply;
  });
  const response = await server.inject({ method: "GET", url: "/" });
  await server.close();
  return response;
}

describe("serving errors", () => {
  it("answers MLflow's error body, and a generic message for unexpected errors", async () => {
    const bad = await answer(sendMlflowError, new FlowOpsError("BAD_REQUEST", "input 'x' is missing"));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error_code: "BAD_REQUEST",
      sqlstate: "KAM00",
      error_class: "INVALID_PARAMETER_VALUE",
      message: "input 'x' is missing",
    });
    const internal = await answer(sendMlflowError, new Error("secret detail"));
    expect(internal.statusCode).toBe(500);
    expect(internal.json().error_code).toBe("INTERNAL_ERROR");
    expect(internal.body).not.toContain("secret detail");
  });

  it("answers a timeout as MLflow's scoring server does: 504 and its sentence under a JSON media type", async () => {
    const timedOut = await answer(
      sendMlflowError,
      new FlowOpsError("DEADLINE_EXCEEDED", "the python worker took longer than 60 s; restarted"),
    );
    expect(timedOut.statusCode).toBe(504);
    expect(timedOut.headers["content-type"]).toMatch(/^application\/json/);
    expect(timedOut.body).toBe(MLFLOW_TIMEOUT_BODY);
    // KServe's protocols keep their JSON error.
    const kserve = await answer(sendKServeError, new FlowOpsError("DEADLINE_EXCEEDED", "took too long"));
    expect(kserve.statusCode).toBe(504);
    expect(kserve.json()).toEqual({ error: "took too long" });
  });
});
