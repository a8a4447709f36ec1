import { FlowOpsError } from "../../src/errors.js";

/** The FlowOpsError a synchronous call throws, for asserting on its code and message; fails when none is thrown. */
export function thrownError(fn: () => unknown): FlowOpsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FlowOpsError) return error;
    throw error;
  }
  throw new Error("expected the call to throw a FlowOpsError");
}
