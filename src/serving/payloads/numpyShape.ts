/**
 * The shape numpy's `np.array` discovers for nested JSON lists, and its refusal of lists it cannot stack: checked
 * against numpy 2.4 (`np.array([[1, 2], [1, 2, 3]])`, `np.array([[1, 2], 3])`, `np.array([[1, [2]], [3, 4]])`).
 * Strings and dicts are scalars to numpy; only lists nest.
 */

/**
 * `shape`: the dimensions numpy found; when `ragged`, only those before the nesting stopped agreeing (lists of
 * different lengths, or lists beside other values at one depth), which `dtype=object` keeps as an array of the
 * values found there.
 */
export interface NumpyShape {
  shape: number[];
  ragged: boolean;
}

/** The shape `np.array(value)` discovers. The body's depth is bounded (checkJsonDepth), which bounds the loop. */
export function numpyShape(value: unknown): NumpyShape {
  const shape: number[] = [];
  let level: unknown[] = [value];
  for (;;) {
    const lists = level.filter((item) => Array.isArray(item)) as unknown[][];
    if (lists.length === 0) return { shape, ragged: false };
    const length = (lists[0] as unknown[]).length;
    if (lists.length < level.length || lists.some((list) => list.length !== length))
      return { shape, ragged: true };
    shape.push(length);
    level = lists.flat(1);
  }
}

/**
 * The shape `np.array(arrays)` discovers for arrays of these shapes: numpy compares them dimension by dimension
 * and never looks inside an object array's elements.
 */
export function stackedShape(shapes: readonly (readonly number[])[]): NumpyShape {
  const shape = [shapes.length];
  for (let depth = 0; ; depth++) {
    if (shapes.every((each) => each.length === depth)) return { shape, ragged: false };
    const length = (shapes[0] as readonly number[])[depth];
    if (length === undefined || shapes.some((each) => each[depth] !== length)) return { shape, ragged: true };
    shape.push(length);
  }
}

/** numpy's ValueError message for values it cannot stack, `shape` being what it detected (NumpyShape). */
export function inhomogeneousMessage(shape: readonly number[]): string {
  const detected = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  return (
    "setting an array element with a sequence. The requested array has an inhomogeneous shape after " +
    `${shape.length} dimensions. The detected shape was ${detected} + inhomogeneous part.`
  );
}
