/**
 * Which GPUs this machine offers to pipeline stages. `FLOWOPS_GPUS` wins when set, so tests and shared
 * machines can pin an inventory without touching the hardware; otherwise `nvidia-smi` is asked. The
 * process runner is injected, so parsing is tested without a GPU. It only reads the inventory: handing GPUs
 * to stages is gpuAllocator's job.
 */
import { childProcess } from "../childProcess.js";
import { FlowOpsError } from "../errors.js";

export interface Gpu {
  /** The index CUDA_VISIBLE_DEVICES names. */
  index: number;
  /** The model name, e.g. `NVIDIA A100-SXM4-80GB`; matched against a stage's `gpu_type`. */
  name: string;
  uuid?: string;
  memoryMiB?: number;
}

/** Runs a program with arguments and returns its standard output; rejects with the error `execFile` gives. */
export type ExecProgram = (file: string, args: readonly string[]) => Promise<string>;

export const NVIDIA_SMI_ARGS = ["--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader"] as const;

const runProgram: ExecProgram = (file, args) =>
  new Promise((resolve, reject) => {
    childProcess().execFile(file, [...args], { timeout: 30_000 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });

/**
 * The GPUs stages may use. `FLOWOPS_GPUS` is a comma-separated list of `index[:name[:memoryMiB]]`
 * (`0:A100:81920,1:A100:81920`, or just `0,1`), read like CUDA_VISIBLE_DEVICES: `FLOWOPS_GPUS=0` is the one
 * GPU with index 0. An empty value or `none` means no GPUs. Without it, `nvidia-smi` is asked; a machine
 * without nvidia-smi has no GPUs.
 */
export async function readGpuInventory(
  env: NodeJS.ProcessEnv = process.env,
  exec: ExecProgram = runProgram,
): Promise<Gpu[]> {
  const pinned = env.FLOWOPS_GPUS;
  if (pinned !== undefined) return parseGpuList(pinned);
  let stdout: string;
  try {
    stdout = await exec("nvidia-smi", NVIDIA_SMI_ARGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new FlowOpsError(
      "INVALID_STATE",
      `nvidia-smi failed, so the GPUs cannot be listed (set FLOWOPS_GPUS to name them): ${describeExecError(error)}`,
      { cause: error },
    );
  }
  return parseNvidiaSmi(stdout);
}

/** Parses `FLOWOPS_GPUS`; errors quote the entry that is wrong. */
export function parseGpuList(value: string): Gpu[] {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed.toLowerCase() === "none") return [];
  const gpus = trimmed.split(",").map((entry): Gpu => {
    const [indexText = "", name, memoryText] = entry.trim().split(":");
    const index = parseIndex(indexText);
    const memoryMiB = memoryText === undefined ? undefined : Number(memoryText);
    if (index === undefined || (memoryMiB !== undefined && !(memoryMiB > 0))) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `FLOWOPS_GPUS: '${entry.trim()}' is not 'index[:name[:memoryMiB]]' (e.g. FLOWOPS_GPUS=0:A100:81920,1:A100:81920)`,
      );
    }
    return {
      index,
      name: name === undefined || name === "" ? "gpu" : name,
      ...(memoryMiB !== undefined ? { memoryMiB } : {}),
    };
  });
  assertDistinctIndices(gpus, "FLOWOPS_GPUS");
  return gpus;
}

/** Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader` (units or not). */
export function parseNvidiaSmi(stdout: string): Gpu[] {
  const gpus: Gpu[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const fields = line.split(",").map((field) => field.trim());
    // A model name never contains a comma today, but join the middle back in case one ever does.
    const indexText = fields[0] ?? "";
    const uuid = fields[1] ?? "";
    const memoryText = fields.length >= 4 ? (fields[fields.length - 1] ?? "") : "";
    const name = fields.slice(2, fields.length >= 4 ? -1 : undefined).join(",");
    const index = parseIndex(indexText);
    if (index === undefined || name === "") {
      throw new FlowOpsError("INVALID_STATE", `nvidia-smi printed a line that is not a GPU: '${line}'`);
    }
    const memory = /^(\d+(?:\.\d+)?)\s*(MiB)?$/i.exec(memoryText);
    gpus.push({
      index,
      name,
      ...(uuid !== "" ? { uuid } : {}),
      ...(memory?.[1] !== undefined ? { memoryMiB: Number(memory[1]) } : {}),
    });
  }
  assertDistinctIndices(gpus, "nvidia-smi");
  return gpus;
}

/** Whether a GPU satisfies a stage's `gpu_type`: a case-insensitive part of the model name (`A100`). */
export function gpuMatchesType(gpu: Gpu, type: string | undefined): boolean {
  return type === undefined || gpu.name.toLowerCase().includes(type.toLowerCase());
}

function parseIndex(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function assertDistinctIndices(gpus: readonly Gpu[], source: string): void {
  const seen = new Set<number>();
  for (const gpu of gpus) {
    if (seen.has(gpu.index)) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `${source}: GPU index ${gpu.index} is listed twice`);
    }
    seen.add(gpu.index);
  }
}

function describeExecError(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  if (typeof stderr === "string" && stderr.trim() !== "") return stderr.trim();
  return error instanceof Error ? error.message : String(error);
}
