import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataDb } from "../db/connect.js";
import { FlowOpsError } from "../errors.js";
import { sqliteBackend } from "../../test/support/backends.js";
import { insertExperimentRuns } from "../../test/support/registryRuns.js";
import {
  isUnder,
  isUriWithinRoot,
  normaliseLocation,
  resolveModelVersionSource,
} from "./modelVersionSource.js";

describe("model version source locations", () => {
  it("spells local paths and file: URIs the same way", () => {
    expect(normaliseLocation("/srv/artifacts/")).toBe("file:/srv/artifacts");
    expect(normaliseLocation("file:///srv/artifacts/./x")).toBe("file:/srv/artifacts/x");
    expect(normaliseLocation("file://localhost/srv/artifacts")).toBe("file:/srv/artifacts");
  });

  it("gives a file: URI on another host no local meaning", () => {
    expect(normaliseLocation("file://evil.example/srv/artifacts")).toBeUndefined();
  });

  it("matches roots on path-segment boundaries only", () => {
    const location = normaliseLocation("s3://bucket/root/model") as string;
    expect(isUnder(location, "s3://bucket/root")).toBe(true);
    expect(isUnder(location, "S3://bucket/root/")).toBe(true);
    expect(isUnder(normaliseLocation("s3://bucket/rootkit/model") as string, "s3://bucket/root")).toBe(false);
    expect(isUnder(normaliseLocation("file:///srv/artifacts/1/m") as string, "/srv/artifacts")).toBe(true);
    expect(isUnder(normaliseLocation("/srv/artifacts-old/1") as string, "/srv/artifacts")).toBe(false);
  });

  it("keeps a root without a host from containing locations that name one", () => {
    expect(isUnder(normaliseLocation("mlflow-artifacts:/1/m") as string, "mlflow-artifacts:/")).toBe(true);
    expect(isUnder(normaliseLocation("mlflow-artifacts://evil/1/m") as string, "mlflow-artifacts:/")).toBe(
      false,
    );
    expect(isUnder(normaliseLocation("http://HOST:5000/a/b") as string, "http://host:5000/a")).toBe(true);
  });
});

/**
 * Answers recorded from `mlflow server` 3.17.2 (--serve-artifacts) for a host-less mlflow-artifacts source: a 400
 * INVALID_PARAMETER_VALUE "Invalid model version source: '<source>'. The run_id request parameter must identify
 * the resource that contains the source." without run_id, with run_id "", with a run_id naming no run and with a
 * source outside that run's artifact_uri; the source is accepted when it is that artifact_uri or lies below it
 * (MLFLOW-ARTIFACTS: in capitals too).
 */
describe("an mlflow-artifacts source", () => {
  const RUN = "0123456789abcdef0123456789abcdef";
  const ARTIFACTS = `mlflow-artifacts:/0/${RUN}/artifacts`;
  const ROOTS = ["mlflow-artifacts:/", "/srv/artifacts"];
  let meta: MetadataDb;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ meta, close } = await sqliteBackend.open());
    await insertExperimentRuns(meta.db, {
      runIds: [RUN],
      experimentName: "e",
      artifactLocation: "mlflow-artifacts:/0",
    });
  });
  afterAll(async () => close());

  const refusal = async (source: string, runId?: string): Promise<unknown> =>
    resolveModelVersionSource(meta.db, source, { artifactRoots: ROOTS, runId }).then(
      () => undefined,
      (error: unknown) => error,
    );

  it.each([
    ["mlflow-artifacts:/0/x/artifacts/model", undefined],
    ["mlflow-artifacts:/0/x", ""],
    ["mlflow-artifacts:/0/x", "nosuchrun"],
    ["mlflow-artifacts:/0/other/artifacts/model", RUN],
    [`mlflow-artifacts:/0/${RUN}/artifactsmore/model`, RUN],
  ])("%s with run_id %s is refused as MLflow refuses it", async (source, runId) => {
    const error = await refusal(source, runId);
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((error as FlowOpsError).message).toBe(
      `Invalid model version source: '${source}'. The run_id request parameter must identify the resource ` +
        "that contains the source.",
    );
  });

  it.each([`${ARTIFACTS}/model`, ARTIFACTS, `MLFLOW-ARTIFACTS:/0/${RUN}/artifacts/model`])(
    "%s is accepted under the run named by run_id",
    async (source) => {
      await expect(
        resolveModelVersionSource(meta.db, source, { artifactRoots: ROOTS, runId: RUN }),
      ).resolves.toEqual({ storageLocation: source });
    },
  );

  it("is under a root segment by segment, as MLflow's _is_uri_within_root compares", () => {
    expect(isUriWithinRoot("mlflow-artifacts:/0/r/artifacts%2Fm", "mlflow-artifacts:/0/r")).toBe(true);
    expect(isUriWithinRoot("mlflow-artifacts:/0//r/artifacts", "mlflow-artifacts:/0/r/")).toBe(true);
    expect(isUriWithinRoot("mlflow-artifacts://host/0/r", "mlflow-artifacts:/0/r")).toBe(false);
    expect(isUriWithinRoot("mlflow-artifacts:/0/r", "mlflow-artifacts:/")).toBe(false);
  });
});

/**
 * Answers recorded from `mlflow server` 3.17.2 for `runs:/<run>/model`: a 400 INVALID_PARAMETER_VALUE "Invalid
 * model version source: '<source>'. The run_id request parameter must identify the resource that contains the
 * source." without run_id, with run_id "", with another run's id, with the id in capitals and for
 * `runs://h/<run>/model`; "The model_id request parameter ..." when a model_id is sent too. Accepted with the
 * matching run_id.
 */
describe("a runs:/ source", () => {
  const RUN = "0123456789abcdef0123456789abcdef";
  const OTHER = "fedcba9876543210fedcba9876543210";
  let meta: MetadataDb;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ meta, close } = await sqliteBackend.open());
    await insertExperimentRuns(meta.db, {
      runIds: [RUN, OTHER],
      experimentName: "e",
      artifactLocation: "mlflow-artifacts:/0",
    });
  });
  afterAll(async () => close());

  const resolve = (source: string, ids: { runId?: string; modelId?: string }) =>
    resolveModelVersionSource(meta.db, source, { artifactRoots: ["mlflow-artifacts:/"], ...ids });

  it.each([
    [`runs:/${RUN}/model`, {}, "run_id"],
    [`runs:/${RUN}/model`, { runId: "" }, "run_id"],
    [`runs:/${RUN}/model`, { runId: OTHER }, "run_id"],
    [`runs:/${RUN}/model`, { runId: RUN.toUpperCase() }, "run_id"],
    [`RUNS:/${RUN}/model`, { runId: OTHER }, "run_id"],
    [`runs://h/${RUN}/model`, { runId: RUN }, "run_id"],
    [`runs:/%30${RUN.slice(1)}/model`, { runId: RUN }, "run_id"],
    [`runs:/${RUN}/model`, { runId: RUN, modelId: "m-x" }, "model_id"],
  ])("%s with %j is refused as MLflow refuses it", async (source, ids, field) => {
    const error = await resolve(source, ids).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(FlowOpsError);
    expect((error as FlowOpsError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((error as FlowOpsError).message).toBe(
      `Invalid model version source: '${source}'. The ${field} request parameter must identify the resource ` +
        "that contains the source.",
    );
  });

  // mlflow server 3.17.2, a version created from `runs:/<run>/model2` with that run_id: get-download-uri
  // answers {"artifact_uri": "runs:/<run>/model2"}, not the run's mlflow-artifacts:/ location.
  it("with a matching run_id is kept as registered, as MLflow's download URI", async () => {
    await expect(resolve(`runs:/${RUN}/model`, { runId: RUN })).resolves.toEqual({
      storageLocation: `runs:/${RUN}/model`,
    });
    await expect(resolve(`runs:/${RUN}`, { runId: RUN })).resolves.toEqual({
      storageLocation: `runs:/${RUN}`,
    });
  });

  // MLflow 3.17 registers it (its get-download-uri then answers with the source itself).
  it("naming a run this server does not know keeps the source as its location", async () => {
    const missing = "00000000000000000000000000000abc";
    await expect(resolve(`runs:/${missing}/model`, { runId: missing })).resolves.toEqual({
      storageLocation: `runs:/${missing}/model`,
    });
  });
});

// MLflow 3.17's `_validate_prompt_source`: a prompt version's source is one of the client's placeholders.
describe("a prompt version's source", () => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ meta, close } = await sqliteBackend.open());
  });
  afterAll(async () => close());

  it("is one of MLflow's placeholders, looked up nowhere", async () => {
    for (const source of ["dummy-source", "prompt-template"]) {
      await expect(
        resolveModelVersionSource(meta.db, source, { artifactRoots: [], isPrompt: true }),
      ).resolves.toEqual({ storageLocation: source });
    }
  });

  it("refuses anything else, artifact URIs included, with MLflow's message", async () => {
    await expect(
      resolveModelVersionSource(meta.db, "runs:/abc/model", { artifactRoots: [], isPrompt: true }),
    ).rejects.toThrow(
      "Invalid prompt source: 'runs:/abc/model'. Prompt sources must use an MLflow placeholder.",
    );
  });
});
