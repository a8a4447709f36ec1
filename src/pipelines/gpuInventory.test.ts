import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { gpuMatchesType, parseGpuList, parseNvidiaSmi, readGpuInventory } from "./gpuInventory.js";

describe("readGpuInventory", () => {
  it("reads FLOWOPS_GPUS as indices with optional names and memory", async () => {
    const gpus = await readGpuInventory({ FLOWOPS_GPUS: "0:A100:81920,1:A100:81920" }, () => {
      throw new Error("nvidia-smi must not be asked when FLOWOPS_GPUS is set");
    });
    expect(gpus).toEqual([
      { index: 0, name: "A100", memoryMiB: 81920 },
      { index: 1, name: "A100", memoryMiB: 81920 },
    ]);
  });

  it("reads FLOWOPS_GPUS=0 as the one GPU with index 0, like CUDA_VISIBLE_DEVICES", async () => {
    expect(await readGpuInventory({ FLOWOPS_GPUS: "0" })).toEqual([{ index: 0, name: "gpu" }]);
  });

  it("reads an empty FLOWOPS_GPUS or none as no GPUs", () => {
    expect(parseGpuList("")).toEqual([]);
    expect(parseGpuList("none")).toEqual([]);
  });

  it("rejects a FLOWOPS_GPUS entry that is not an index, quoting it", () => {
    expect(() => parseGpuList("0,x:A100")).toThrow(/FLOWOPS_GPUS: 'x:A100'/);
    expect(() => parseGpuList("0,0")).toThrow(/index 0 is listed twice/);
  });

  it("asks nvidia-smi for index, uuid, name and memory without FLOWOPS_GPUS", async () => {
    const calls: string[][] = [];
    const gpus = await readGpuInventory({}, async (file, args) => {
      calls.push([file, ...args]);
      return "0, GPU-1a2b, NVIDIA H200, 143771 MiB\n1, GPU-3c4d, NVIDIA H200, 143771 MiB\n";
    });
    expect(calls).toEqual([
      ["nvidia-smi", "--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader"],
    ]);
    expect(gpus).toEqual([
      { index: 0, uuid: "GPU-1a2b", name: "NVIDIA H200", memoryMiB: 143771 },
      { index: 1, uuid: "GPU-3c4d", name: "NVIDIA H200", memoryMiB: 143771 },
    ]);
  });

  it("treats a machine without nvidia-smi as having no GPUs", async () => {
    const gpus = await readGpuInventory({}, async () => {
      throw Object.assign(new Error("spawn nvidia-smi ENOENT"), { code: "ENOENT" });
    });
    expect(gpus).toEqual([]);
  });

  it("reports a failing nvidia-smi with its stderr", async () => {
    const failing = readGpuInventory({}, async () => {
      throw Object.assign(new Error("exit 9"), {
        code: 9,
        stderr: "NVIDIA-SMI has failed because it couldn't communicate with the driver",
      });
    });
    await expect(failing).rejects.toBeInstanceOf(FlowOpsError);
    await expect(failing).rejects.toThrow(/couldn't communicate with the driver/);
  });
});

describe("parseNvidiaSmi", () => {
  it("accepts memory without units (nounits) and skips blank lines", () => {
    expect(parseNvidiaSmi("\n3, GPU-x, Tesla T4, 15360\n")).toEqual([
      { index: 3, uuid: "GPU-x", name: "Tesla T4", memoryMiB: 15360 },
    ]);
  });

  it("rejects a line that is not a GPU", () => {
    expect(() => parseNvidiaSmi("No devices were found")).toThrow(/not a GPU/);
  });
});

describe("gpuMatchesType", () => {
  it("matches a type as a case-insensitive part of the model name", () => {
    const gpu = { index: 0, name: "NVIDIA A100-SXM4-80GB" };
    expect(gpuMatchesType(gpu, "a100")).toBe(true);
    expect(gpuMatchesType(gpu, "H100")).toBe(false);
    expect(gpuMatchesType(gpu, undefined)).toBe(true);
  });
});
