import { describe, expect, it } from "vitest";
import { ModelSet } from "./modelSet.js";
import type { LoadedModel } from "./runtime.js";

function model(name: string, version: string, log: string[] = []): LoadedModel {
  return {
    name,
    version,
    platform: "test",
    inputs: [],
    outputs: [],
    ready: () => true,
    infer: async () => {
      log.push(`infer ${name}/${version}`);
      return [];
    },
    close: async () => {
      log.push(`close ${name}/${version}`);
    },
  };
}

describe("ModelSet", () => {
  it("makes the first model given the default", () => {
    const set = new ModelSet([model("b", "1"), model("a", "1")]);
    expect(set.defaultModel.model.name).toBe("b");
    expect(set.names()).toEqual(["b", "a"]);
  });

  it("resolves a name without a version to its highest numeric version", () => {
    const set = new ModelSet([model("m", "2"), model("m", "10"), model("m", "9")]);
    expect(set.find("m").model.version).toBe("10");
    expect(set.versionsOf("m")).toEqual(["10", "9", "2"]);
    expect(set.find("m", "2").model.version).toBe("2");
  });

  it("names the served models when a name or version is not served", () => {
    const set = new ModelSet([model("m", "1"), model("n", "1")]);
    expect(() => set.find("x")).toThrow(/model 'x' is not served here; served models: m, n/);
    expect(() => set.find("m", "3")).toThrow(/no version '3' here; served versions: 1/);
  });

  it("refuses the same name and version twice", () => {
    expect(() => new ModelSet([model("m", "1"), model("m", "1")])).toThrow(/given twice/);
  });

  it("refuses to serve no model", () => {
    expect(() => new ModelSet([])).toThrow(/at least one model/);
  });

  it("closes every model after calls in flight finished", async () => {
    const log: string[] = [];
    const set = new ModelSet([model("m", "1", log), model("n", "1", log)], {
      batching: { maxBatchSize: 8, maxQueueDelayMs: 60_000 },
    });
    const waiting = set
      .find("m")
      .runner.infer([{ name: "x", datatype: "FP64", shape: [1], data: new Float64Array(1) }]);
    await set.close();
    await waiting;
    expect(log).toEqual(["infer m/1", "close m/1", "close n/1"]);
  });
});
