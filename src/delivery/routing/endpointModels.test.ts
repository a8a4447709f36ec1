import { describe, expect, it } from "vitest";
import type { LoadedModel } from "../../serving/runtime.js";
import { EndpointModels, type EndpointModelsOptions } from "./endpointModels.js";

function model(version: string, log: string[], closeFails = false): LoadedModel {
  return {
    name: "churn",
    version,
    platform: "test",
    inputs: [],
    outputs: [],
    ready: () => true,
    infer: async () => [],
    close: async () => {
      log.push(`close ${version}`);
      if (closeFails) throw new Error("worker already gone");
    },
  };
}

function models(options: Partial<EndpointModelsOptions> & Pick<EndpointModelsOptions, "loader">): {
  set: EndpointModels;
  messages: string[];
} {
  const messages: string[] = [];
  const set = new EndpointModels({
    endpoint: "churn",
    isRouted: () => false,
    log: (message) => messages.push(message),
    ...options,
  });
  return { set, messages };
}

describe("EndpointModels", () => {
  it("closes a model whose load finishes after the endpoint was closed, and says why the load failed", async () => {
    const log: string[] = [];
    let finish = (_: LoadedModel): void => undefined;
    const { set } = models({ loader: () => new Promise((resolve) => (finish = resolve)) });
    const loading = set.load("k1");
    const closing = set.close();
    finish(model("1", log));
    await expect(loading).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: "endpoint 'churn' was removed, so model 'k1' is not kept loaded",
    });
    await closing;
    expect(log).toEqual(["close 1"]);
    expect(set.isLoaded("k1")).toBe(false);
  });

  it("reports a model that fails to close instead of throwing from close", async () => {
    const log: string[] = [];
    const { set, messages } = models({ loader: async () => model("1", log, true) });
    await set.load("k1");
    await set.close();
    expect(log).toEqual(["close 1"]);
    expect(messages).toEqual(["endpoint 'churn': closing model 'k1' failed: worker already gone"]);
  });

  it("keeps the model's labels as the endpoint and the model's version", async () => {
    const { set } = models({ loader: async () => model("7", []) });
    await set.load("models:/churn/7");
    expect(set.get("models:/churn/7")?.labels).toEqual({ model: "churn", version: "7" });
    expect(set.keys()).toEqual(["models:/churn/7"]);
    await set.close();
  });

  it("wraps a loader's plain error as an internal error naming the endpoint and key", async () => {
    const { set } = models({
      loader: () => {
        throw new Error("disk full");
      },
    });
    await expect(set.load("k2")).rejects.toMatchObject({
      code: "INTERNAL_ERROR",
      message: "endpoint 'churn': cannot load model 'k2': disk full",
    });
  });
});
