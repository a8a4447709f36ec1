import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { S3ArtifactStore } from "../artifacts/s3.js";
import { isRemoteNotFound, openDataRemote, s3Environment, type RemoteRepo } from "./dataRemote.js";

function repoWith(
  remotes: Record<string, Record<string, string>>,
  core: Record<string, string> = {},
): RemoteRepo {
  return {
    dvcDir: "/work/project/.dvc",
    config: { core, cache: {}, remotes, sections: {} },
  };
}

describe("openDataRemote", () => {
  it("resolves a relative local url against the .dvc directory, as DVC resolves config paths", () => {
    const remote = openDataRemote(repoWith({ storage: { url: "../../store" } }, { remote: "storage" }));
    expect(remote).toMatchObject({ name: "storage", url: "/work/store" });
    expect(remote.store.rootUri).toBe("file:///work/store");
  });

  it("opens the named remote instead of the default", () => {
    const repo = repoWith({ a: { url: "/data/a" }, b: { url: "/data/b" } }, { remote: "a" });
    expect(openDataRemote(repo, "b").url).toBe("/data/b");
  });

  it("joins a remote:// url onto the remote it names", () => {
    const repo = repoWith({ base: { url: "/data/base" }, sub: { url: "remote://base/nested/dir" } });
    expect(openDataRemote(repo, "sub").url).toBe(join("/data/base", "nested/dir"));
  });

  it("refuses remote:// urls that refer back to themselves", () => {
    const repo = repoWith({ a: { url: "remote://b/x" }, b: { url: "remote://a/y" } });
    expect(() => openDataRemote(repo, "a")).toThrow(/refers to itself/);
  });

  it("says how to set a default remote when none is configured", () => {
    expect(() => openDataRemote(repoWith({ storage: { url: "/x" } }))).toThrow(/no remote specified/);
  });

  it("names a remote that does not exist, in DVC's words (get_fs_config's: no full stop)", () => {
    const thrown = (open: () => unknown): unknown => {
      try {
        open();
      } catch (error) {
        return error;
      }
      throw new Error("expected a throw");
    };
    const named = thrown(() => openDataRemote(repoWith({}), "nope"));
    expect(named).toMatchObject({
      code: "RESOURCE_DOES_NOT_EXIST",
      message: "config file error: remote 'nope' doesn't exist",
    });
    const byDefault = thrown(() => openDataRemote(repoWith({ a: { url: "/a" } }, { remote: "nosuch" })));
    expect(byDefault).toMatchObject({ message: "config file error: remote 'nosuch' doesn't exist" });
    expect(isRemoteNotFound(named)).toBe(true);
    expect(isRemoteNotFound(new Error("failed to pull data from the cloud", { cause: byDefault }))).toBe(
      true,
    );
    expect(isRemoteNotFound(thrown(() => openDataRemote(repoWith({}))))).toBe(false);
  });

  it("takes jobs from the remote's config and defaults to 4 x cores", () => {
    const repo = repoWith({ a: { url: "/a", jobs: "3" }, b: { url: "/b" } });
    expect(openDataRemote(repo, "a").jobs).toBe(3);
    expect(openDataRemote(repo, "b").jobs).toBe(4 * availableParallelism());
    expect(() => openDataRemote(repoWith({ c: { url: "/c", jobs: "many" } }), "c")).toThrow(
      /remote "c" jobs must be a positive integer, got 'many'/,
    );
  });

  it("opens an s3:// url as an S3 store and refuses schemes it has no store for", () => {
    const remote = openDataRemote(
      repoWith({ s3: { url: "s3://bucket/dvcstore", endpointurl: "http://127.0.0.1:9" } }),
      "s3",
    );
    expect(remote.store).toBeInstanceOf(S3ArtifactStore);
    expect(remote.store.rootUri).toBe("s3://bucket/dvcstore");
    expect(() => openDataRemote(repoWith({ g: { url: "gs://bucket/x" } }), "g")).toThrow(
      /Unsupported .* 'gs'/,
    );
  });
});

describe("s3Environment", () => {
  it("takes endpoint, region and credentials from the remote's section over the environment", () => {
    const env = s3Environment(
      { endpointurl: "http://minio:9000", region: "eu-west-1", access_key_id: "AK", secret_access_key: "SK" },
      { AWS_ACCESS_KEY_ID: "env", AWS_SECRET_ACCESS_KEY: "env", AWS_SESSION_TOKEN: "old", PATH: "/bin" },
    );
    expect(env).toMatchObject({
      MLFLOW_S3_ENDPOINT_URL: "http://minio:9000",
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AK",
      AWS_SECRET_ACCESS_KEY: "SK",
      PATH: "/bin",
    });
    expect(env.AWS_SESSION_TOKEN).toBeUndefined();
  });

  it("ignores MLflow's artifact endpoint and bucket owner, which DVC never reads", () => {
    const env = s3Environment(
      {},
      { MLFLOW_S3_ENDPOINT_URL: "http://mlflow-minio:9000", MLFLOW_S3_EXPECTED_BUCKET_OWNER: "123456789012" },
    );
    expect(env.MLFLOW_S3_ENDPOINT_URL).toBeUndefined();
    expect(env.MLFLOW_S3_EXPECTED_BUCKET_OWNER).toBeUndefined();
  });
});
