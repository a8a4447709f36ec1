/**
 * JSON as Flask's `jsonify` writes it in MLflow's server: keys sorted at every level, no spaces, every
 * character beyond ASCII escaped, and a closing newline.
 */
export function flaskJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => sortedKeys(item));
  return `${text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}

function sortedKeys(item: unknown): unknown {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
  const source = item as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) sorted[key] = source[key];
  return sorted;
}
