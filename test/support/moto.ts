/**
 * A real S3-compatible server for the artifact store contract: moto in server mode, started on a free
 * loopback port and stopped by the suite. The binary comes from FLOWOPS_MOTO_SERVER, the repo's .venv, or
 * PATH. When none exists the S3 backend is left out, unless FLOWOPS_REQUIRE_S3=1 (CI) makes that an error.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as S3Sdk from "@aws-sdk/client-s3";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const START_TIMEOUT_MS = 30_000;

export interface MotoServer {
  endpoint: string;
  /** Environment for an S3 client pointed at this server (endpoint, region, dummy credentials). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** The moto_server binary to use, or undefined when there is none (and S3 is not required). */
export function findMotoServer(): string | undefined {
  const candidates = [process.env.FLOWOPS_MOTO_SERVER, join(REPO_ROOT, ".venv", "bin", "moto_server")];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate !== "" && existsSync(candidate)) return candidate;
  }
  const onPath = spawnSync("sh", ["-c", "command -v moto_server"], { encoding: "utf8" });
  const found = onPath.status === 0 ? onPath.stdout.trim() : "";
  if (found !== "") return found;
  if (process.env.FLOWOPS_REQUIRE_S3 === "1") {
    throw new Error(
      "FLOWOPS_REQUIRE_S3=1 but no moto_server was found: set FLOWOPS_MOTO_SERVER or create .venv with moto[server].",
    );
  }
  return undefined;
}

export async function startMotoServer(binary: string): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn(binary, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`moto_server did not start: ${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    env: {
      MLFLOW_S3_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
    },
    stop: () => stopProcess(child),
  };
}

/** An S3 client on the moto server, with the credentials moto accepts. */
function motoClient(sdk: typeof S3Sdk, server: MotoServer): S3Sdk.S3Client {
  return new sdk.S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
}

/** Creates a bucket through the S3 API itself, as a test fixture. */
export async function createBucket(server: MotoServer, bucket: string): Promise<void> {
  const sdk = await import("@aws-sdk/client-s3");
  const client = motoClient(sdk, server);
  try {
    await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

/** A client on a moto server with versioning turned on for some buckets, for tests of version-aware reads. */
export interface VersionedS3 {
  sdk: typeof S3Sdk;
  client: S3Sdk.S3Client;
  /** Writes an object; the version id the bucket gave it ("" in a bucket without versioning). */
  put(bucket: string, key: string, body: string): Promise<string>;
  destroy(): void;
}

/** Creates `versioned` buckets with versioning enabled and `plain` ones without. */
export async function versionedS3(
  server: MotoServer,
  versioned: readonly string[],
  plain: readonly string[] = [],
): Promise<VersionedS3> {
  const sdk = await import("@aws-sdk/client-s3");
  const client = motoClient(sdk, server);
  for (const bucket of [...versioned, ...plain]) await createBucket(server, bucket);
  for (const bucket of versioned) {
    await client.send(
      new sdk.PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
  }
  return {
    sdk,
    client,
    put: async (bucket, key, body) =>
      (await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).VersionId ?? "",
    destroy: () => client.destroy(),
  };
}

/** The environment dvc (and an import's S3 reads) take the endpoint and credentials from. */
export function awsEnvironment(server: MotoServer): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_DEFAULT_REGION: "us-east-1",
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no answer within ${START_TIMEOUT_MS} ms`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
