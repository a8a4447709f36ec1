/**
 * Which onnxruntime execution providers a model's session may use, as `--execution-provider` names them. Kept
 * apart from ortSession.ts, which loads onnxruntime-node, so that the commands' `--help` can list the choices.
 */
import type { OnnxExecutionProvider } from "./ortSession.js";

export const PROVIDER_CHOICES = ["auto", "cuda", "cpu"] as const;

/**
 * "auto": CUDA first when a GPU is present, then the CPU; "cuda": CUDA or fail (no silent fallback to a CPU a
 * GPU deployment was not sized for); "cpu": never CUDA, e.g. to keep the GPU for training beside the server.
 */
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];

export function providersFor(choice: ProviderChoice, gpuPresent: () => boolean): OnnxExecutionProvider[] {
  switch (choice) {
    case "auto":
      return gpuPresent() ? ["cuda", "cpu"] : ["cpu"];
    case "cuda":
      return ["cuda"];
    case "cpu":
      return ["cpu"];
  }
}

/**
 * What a user needs for CUDA, said when `--execution-provider cuda` cannot start it. onnxruntime-node ships only
 * its CPU library from npm; the CUDA provider libraries come from its download step (skipped by this project's
 * .npmrc) or from the `onnxruntime-gpu` wheel of the same version, and load from the folder of libonnxruntime.
 */
export const CUDA_PROVIDER_HINT =
  "the CUDA provider needs libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so (from the " +
  "onnxruntime-gpu wheel of onnxruntime-node's version) beside onnxruntime-node's libonnxruntime.so, and the " +
  "CUDA and cuDNN libraries they were built for on LD_LIBRARY_PATH; see README.md, 'Serving on a GPU'";
