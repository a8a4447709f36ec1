/**
 * The set-up the MLflow 3 suites (issues, label schemas, review queues, scorers) share: a store suite gets a
 * fresh database of its backend for each test, a route suite one server for all its tests, each holding one
 * active experiment "exp" (created at time 1, artifacts under `mlflow-artifacts:/`).
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { MetadataDb } from "../../src/db/connect.js";
import { createExperiment } from "../../src/tracking/experimentStore.js";
import type { TestBackend } from "./backends.js";
import { startTestServer, type TestServer } from "./testServer.js";

const API_DOCS_HINT = "See the API docs for more information about request parameters.";

export interface ExperimentStoreWorld {
  meta: MetadataDb;
  experimentId: string;
  /** Starts at 1000 and moves one millisecond a read, so each write of a test has its own time. */
  now: () => number;
}

const createExp = (meta: MetadataDb) => createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);

/**
 * Registers the hooks in the calling `describe`: before each test a new database with the experiment, which
 * `ready` builds the suite's stores over; after it, the database is dropped.
 */
export function eachTestWithExperiment(
  backend: TestBackend,
  ready: (world: ExperimentStoreWorld) => void | Promise<void>,
): void {
  let close: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const opened = await backend.open();
    close = opened.close;
    let clock = 1000;
    const experimentId = await createExp(opened.meta);
    await ready({ meta: opened.meta, experimentId, now: () => clock++ });
  });
  afterEach(async () => {
    await close?.();
  });
}

/**
 * Registers the hooks in the calling `describe`: before its tests a server on SQLite with the experiment,
 * handed to `ready`; after them, the server is closed.
 */
export function serverWithExperiment(
  ready: (server: TestServer, experimentId: string) => void | Promise<void>,
): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
    await ready(server, await createExp(server.ctx.meta));
  });
  afterAll(async () => {
    await server?.close();
  });
}

/** The answer `mlflow server` gives a request it refuses as INVALID_PARAMETER_VALUE. */
export const invalidParameterAnswer = (message: string) => ({
  status: 400,
  body: {
    error_code: "INVALID_PARAMETER_VALUE",
    message,
    sqlstate: "KAM00",
    error_class: "INVALID_PARAMETER_VALUE",
  },
});

/** The answer to a request without a field its handler requires (`_assert_required`). */
export const missingParameterAnswer = (field: string) =>
  invalidParameterAnswer(`Missing value for required parameter '${field}'. ${API_DOCS_HINT}`);
