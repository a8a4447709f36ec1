/**
 * Test fixture for version-aware imports: a moto server started for one describe block, with a versioned
 * bucket (and optionally one without versioning) of random names, and the AWS environment dvc and an import's
 * S3 reads take stubbed to that server for each test. Test-only; nothing in the product imports it.
 */
import { randomUUID } from "node:crypto";

import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";

import { awsEnvironment, startMotoServer, versionedS3, type MotoServer, type VersionedS3 } from "./moto.js";

export interface VersionedBucketsOnMoto {
  /** The versioned bucket: its name prefix and a random suffix. */
  readonly bucket: string;
  /** The bucket without versioning, where a `plain` prefix was given. */
  readonly plain: string;
  readonly server: MotoServer;
  readonly s3: VersionedS3;
  /** Writes an object to the versioned bucket; the version id it got. */
  put(key: string, body: string): Promise<string>;
}

export interface BucketPrefixes {
  versioned: string;
  plain?: string;
}

/** Registers the block's hooks; call it inside `describe`, with the binary findMotoServer found. */
export function versionedBucketsOnMoto(binary: string, prefixes: BucketPrefixes): VersionedBucketsOnMoto {
  const named = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
  const bucket = named(prefixes.versioned);
  const plain = prefixes.plain === undefined ? undefined : named(prefixes.plain);
  let server: MotoServer | undefined;
  let s3: VersionedS3 | undefined;

  beforeAll(async () => {
    server = await startMotoServer(binary);
    s3 = await versionedS3(server, [bucket], plain === undefined ? [] : [plain]);
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.stop();
  });
  beforeEach(() => {
    // dvc reads AWS_ENDPOINT_URL; importUrl reads the process environment as dvc does.
    for (const [name, value] of Object.entries(awsEnvironment(started().server))) vi.stubEnv(name, value);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const started = (): { server: MotoServer; s3: VersionedS3 } => {
    if (server === undefined || s3 === undefined) throw new Error("moto has not started: use it in a test");
    return { server, s3 };
  };
  return {
    bucket,
    get plain(): string {
      if (plain === undefined) throw new Error("no plain bucket was asked for");
      return plain;
    },
    get server() {
      return started().server;
    },
    get s3() {
      return started().s3;
    },
    put: (key, body) => started().s3.put(bucket, key, body),
  };
}
