/**
 * Two tracking servers over one moto bucket for the S3 artifact route tests: `server` proxies artifacts to
 * `s3://<bucket>/mlartifacts`, `noServe` has the same destination with serving off. The servers read S3
 * settings from their environment, as MLflow's boto3 client does, so moto's are set for the suite and put back.
 */
import { afterAll, beforeAll } from "vitest";
import { createBucket, startMotoServer, type MotoServer } from "./moto.js";
import { startTestServer, type TestServer } from "./testServer.js";

export interface S3ArtifactServers {
  moto: MotoServer;
  server: TestServer;
  noServe: TestServer;
}

/** Starts them before the enclosing suite and stops them after; the fields are set once beforeAll ran. */
export function s3ArtifactServers(motoBinary: string, bucket: string): S3ArtifactServers {
  const servers = {} as S3ArtifactServers;
  const saved = { ...process.env };
  beforeAll(async () => {
    servers.moto = await startMotoServer(motoBinary);
    await createBucket(servers.moto, bucket);
    Object.assign(process.env, servers.moto.env);
    const artifactsDestination = `s3://${bucket}/mlartifacts`;
    servers.server = await startTestServer({ config: { artifactsDestination } });
    servers.noServe = await startTestServer({ config: { artifactsDestination, serveArtifacts: false } });
  });
  afterAll(async () => {
    await servers.server?.close();
    await servers.noServe?.close();
    await servers.moto?.stop();
    process.env = saved;
  });
  return servers;
}
