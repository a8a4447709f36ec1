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

/** The FlowOpsError a promise rejects with, for asserting on its code and message; fails when it settles otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<FlowOpsError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof FlowOpsError) return error;
  throw new Error(`expected a rejection with a FlowOpsError, got ${String(error)}`);
}
