import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtifactsApi } from "../../client/artifacts.js";
import { referenceProfileSchema } from "../online/profileSchema.js";
import {
  logDatasetProfile,
  logDatasetProfiles,
  profileArtifactName,
  profileArtifactPath,
} from "./profileArtifact.js";

/** Records what would be uploaded, as the artifact proxy would store it. */
function recordingArtifacts(fail?: Error): Pick<ArtifactsApi, "uploadArtifact"> & {
  uploads: { runId: string; path: string; text: string }[];
} {
  const uploads: { runId: string; path: string; text: string }[] = [];
  return {
    uploads,
    async uploadArtifact(target, source, artifactPath) {
      if (fail !== undefined) throw fail;
      const chunks: Buffer[] = [];
      for await (const chunk of source as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
      uploads.push({
        runId: "runId" in target ? target.runId : "",
        path: artifactPath ?? "",
        text: Buffer.concat(chunks).toString("utf8"),
      });
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-profile-artifact-"));
  await writeFile(join(dir, "train.csv"), "x,y\n1,a\n2,b\n3,a\n");
  await mkdir(join(dir, "images"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("profileArtifactName", () => {
  it("turns a dataset path into one flat JSON file name", () => {
    expect(profileArtifactName("data/train.csv")).toBe("data_train.csv.json");
    expect(profileArtifactPath("train")).toBe("flowops/profiles/train.json");
  });

  it("never names a hidden, parent or empty path", () => {
    expect(profileArtifactName("../secret")).toBe("__secret.json");
    expect(profileArtifactName(".env")).toBe("_env.json");
    expect(profileArtifactName("")).toBe("_.json");
    expect(profileArtifactName("a b/c:d")).toBe("a_b_c_d.json");
  });
});

describe("logDatasetProfile", () => {
  it("uploads a table file's profile under the dataset's name as a valid reference profile", async () => {
    const artifacts = recordingArtifacts();
    const outcome = await logDatasetProfile(artifacts, "run1", {
      name: "data/train.csv",
      file: join(dir, "train.csv"),
    });
    expect(outcome).toEqual({ uploaded: "flowops/profiles/data_train.csv.json", rows: 3 });
    expect(artifacts.uploads).toHaveLength(1);
    expect(artifacts.uploads[0]).toMatchObject({
      runId: "run1",
      path: "flowops/profiles/data_train.csv.json",
    });
    const parsed = referenceProfileSchema.safeParse(JSON.parse(artifacts.uploads[0]!.text));
    expect(parsed.success).toBe(true);
  });

  it("skips a directory without uploading anything", async () => {
    const artifacts = recordingArtifacts();
    const outcome = await logDatasetProfile(artifacts, "run1", { name: "images", file: join(dir, "images") });
    expect(outcome).toEqual({ skipped: expect.stringMatching(/is a directory/) as unknown });
    expect(artifacts.uploads).toEqual([]);
  });

  it("reports a failed upload as skipped instead of throwing", async () => {
    const artifacts = recordingArtifacts(new Error("artifact root is not proxied"));
    const outcome = await logDatasetProfile(artifacts, "run1", { name: "t", file: join(dir, "train.csv") });
    expect(outcome).toEqual({
      skipped: expect.stringMatching(/not stored: artifact root is not proxied/) as unknown,
    });
  });

  it("logs several datasets, uploading only the tables", async () => {
    const artifacts = recordingArtifacts();
    const outcomes = await logDatasetProfiles(artifacts, "run2", [
      { name: "images", file: join(dir, "images") },
      { name: "train.csv", file: join(dir, "train.csv") },
    ]);
    expect(outcomes.map((o) => ("uploaded" in o ? o.uploaded : "skipped"))).toEqual([
      "skipped",
      "flowops/profiles/train.csv.json",
    ]);
  });
});
