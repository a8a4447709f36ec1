import { describe, expect, it } from "vitest";
import { pinnedModel, type AliasLookup } from "./pinnedModel.js";

const noLookup: AliasLookup = () => Promise.reject(new Error("no alias lookup expected"));

describe("pinnedModel", () => {
  it("pins an alias to the version it points at now", async () => {
    const asked: string[] = [];
    const lookup: AliasLookup = async (name, alias) => {
      asked.push(`${name}@${alias}`);
      return "7";
    };
    expect(await pinnedModel("models:/churn@champion", lookup)).toEqual({
      uri: "models:/churn/7",
      version: "7",
    });
    expect(asked).toEqual(["churn@champion"]);
  });

  it("keeps a registered version as given, asking no registry", async () => {
    expect(await pinnedModel("models:/churn/3", noLookup)).toEqual({ uri: "models:/churn/3", version: "3" });
  });

  it("labels a run's model with the run id", async () => {
    expect(await pinnedModel("runs:/abc123/model", noLookup)).toEqual({
      uri: "runs:/abc123/model",
      version: "abc123",
    });
  });

  it("labels any other model with its last path segment", async () => {
    expect(await pinnedModel("s3://bucket/models/churn-v9", noLookup)).toEqual({
      uri: "s3://bucket/models/churn-v9",
      version: "churn-v9",
    });
  });

  it("fails as the registry does when the alias cannot be read", async () => {
    const refused: AliasLookup = () => Promise.reject(new Error("no alias 'gone'"));
    await expect(pinnedModel("models:/churn@gone", refused)).rejects.toThrow("no alias 'gone'");
  });
});
