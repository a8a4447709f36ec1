/**
 * The model key a deployment stores for its stable and candidate versions: the model URI with an alias
 * resolved to the version it points to at deploy time, so a restarted server loads exactly the versions
 * it was serving, whatever the alias points to by then. Registry versions are checked to exist here, so
 * `deploy` with a mistyped name or version fails before anything is loaded or stored.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { getModelVersionByAlias } from "../../registry/aliasStore.js";
import { getModelVersion } from "../../registry/modelVersionStore.js";
import { formatModelUri, parseModelUri } from "../../serving/modelUri.js";

/**
 * @example await resolveModelKey("models:/churn@champion", db) // "models:/churn/3"
 */
export async function resolveModelKey(
  uri: string,
  db: Kysely<Database>,
  cwd: string = process.cwd(),
): Promise<string> {
  const parsed = parseModelUri(uri, cwd);
  switch (parsed.kind) {
    case "registryAlias": {
      const version = await getModelVersionByAlias(db, parsed.name, parsed.alias);
      return formatModelUri({ kind: "registryVersion", name: parsed.name, version: String(version.version) });
    }
    case "registryVersion":
      await getModelVersion(db, parsed.name, parsed.version);
      return formatModelUri(parsed);
    default:
      return formatModelUri(parsed);
  }
}
