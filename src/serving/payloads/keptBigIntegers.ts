/**
 * Integers beyond both 64-bit ranges in an MLflow `inputs` or `instances` body for an ONNX model. No tensor holds
 * them, so reading the body refuses them; but MLflow's cast writes them as text, every digit, for a string input
 * (stringInputNumbers.ts), which is only known once adaptInput matches the tensors to the model's inputs. So a
 * refused body is read again with its leaves kept as sent (jsonTensor.ts' "numpy-kept"), and the refusal waits
 * for a tensor that still holds one after the string inputs took their text. A body read without refusal is
 * read once, so a numeric request pays nothing.
 */
import type { Tensor } from "../tensor.js";
import type { BigIntegerRule } from "./jsonTensor.js";
import type { ModelInput, PredictRequest } from "./predictRequest.js";

/** `read`'s request; where it refuses the body and `keep` allows, the request read keeping them. */
export function readKeepingBigIntegers(
  read: (integers: BigIntegerRule) => PredictRequest,
  keep: boolean,
): PredictRequest {
  try {
    return read("numpy");
  } catch (error) {
    if (!keep) throw error;
    const kept = read("numpy-kept");
    // A frame's cells are typed by the model's columns, which refuse such integers themselves.
    if (kept.input.kind !== "tensors") throw error;
    kept.input.beyondRefusal = error as Error;
    return kept;
  }
}

/** Throws the refusal held for the body's integers when a tensor bound for the model still holds one. */
export function refuseUnwrittenBigIntegers(input: ModelInput, tensors: readonly Tensor[]): void {
  if (input.kind === "tensors" && input.beyondRefusal !== undefined && tensors.some(holdsBeyond64Bits))
    throw input.beyondRefusal;
}

const INT64_MIN = -(2n ** 63n);
const UINT64_LIMIT = 2n ** 64n;

function holdsBeyond64Bits(tensor: Tensor): boolean {
  return (
    tensor.jsonData?.some(
      (leaf) => typeof leaf === "bigint" && (leaf < INT64_MIN || leaf >= UINT64_LIMIT),
    ) === true
  );
}
