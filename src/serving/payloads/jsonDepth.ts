/**
 * A nesting limit for request bodies, checked once after parsing. The payload parsers walk nested lists
 * recursively; JSON.parse accepts far deeper nesting than the stack allows them, so without this a body of a few
 * hundred thousand `[` failed with a stack overflow (a 500) instead of a 400.
 */
import { invalidInput } from "./invalidInput.js";

/** numpy's NPY_MAXDIMS (numpy 2): MLflow cannot build a deeper array from a request either. */
export const MAX_TENSOR_DIMS = 64;

/** A tensor of MAX_TENSOR_DIMS dimensions inside the few levels of a request's envelope and a frame's cells. */
export const MAX_JSON_DEPTH = MAX_TENSOR_DIMS + 16;

/** Refuses a parsed JSON `value` nested deeper than `limit` lists and objects. */
export function checkJsonDepth(value: unknown, where: string, limit: number = MAX_JSON_DEPTH): void {
  if (nestedDeeperThan(value, limit)) {
    throw invalidInput(
      `${where} is nested more than ${limit} lists or objects deep; ` +
        `a tensor has at most ${MAX_TENSOR_DIMS} dimensions`,
    );
  }
}

/**
 * Recursive, but never more than `remaining` + 1 calls deep whatever the input, so the stack is safe; it stops at
 * the first container past the limit. A walk with an explicit stack cost several times more on large bodies,
 * which this walk visits in full on every request.
 */
function nestedDeeperThan(value: unknown, remaining: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (remaining === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === "object" && child !== null && nestedDeeperThan(child, remaining - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    if (nestedDeeperThan((value as Record<string, unknown>)[key], remaining - 1)) return true;
  }
  return false;
}
