/**
 * The bridge from parsed rollout specs and templates to the render's shapes: the zod schemas type an absent
 * optional field as `undefined`, the render's shapes omit the key (exactOptionalPropertyTypes).
 */

/** A JSON copy of plain parsed data, which drops exactly the keys whose value is `undefined`. */
export function withoutUndefinedKeys<T>(value: object): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
