/**
 * A model-version search filter that finds every version of one registered model, whatever its name holds.
 * MLflow's filter parser (sqlparse) never unescapes a quote inside a quoted value (`'It''s'` means `It''s`), so
 * a name with a single quote is written in double quotes; a name with both kinds cannot be written at all and
 * is found with a LIKE pattern whose quotes are `_` wildcards, which can also match other models: callers keep
 * only versions whose name is the one asked for (`isVersionOf`).
 */
export function modelVersionsOfModelFilter(name: string): string {
  if (!name.includes("'")) return `name = '${name}'`;
  if (!name.includes('"')) return `name = "${name}"`;
  return `name LIKE '${name.replace(/['"]/g, "_")}'`;
}

export const isVersionOf =
  (name: string) =>
  (version: { name: string }): boolean =>
    version.name === name;
