/**
 * The limits MLflow checks on a parsed query before running it (graphql_no_batching.py): nesting depth,
 * total selections, root fields and aliases at one level. Fragments are followed where they are spread, so
 * splitting aliases over sibling fragments does not get around the alias limit. The walk, and so which
 * limit a query trips first, follows MLflow's.
 */
import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { FlowOpsError } from "../../errors.js";

const MAX_DEPTH = 10;
const MAX_SELECTIONS = 1000;

/** MLflow's environment variables and their defaults (mlflow/environment_variables.py). */
const LIMIT_VARIABLES = {
  rootFields: { name: "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS", fallback: 10, noun: "root fields" },
  aliases: { name: "MLFLOW_SERVER_GRAPHQL_MAX_ALIASES", fallback: 10, noun: "aliases" },
} as const;

/** Why MLflow would refuse to run `document`, or undefined when it is within every limit. */
export function querySafetyProblem(
  document: DocumentNode,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  let rootFields: number;
  let maxAliases: number;
  try {
    ({ rootFields, maxAliases } = scanQuery(document));
  } catch (error) {
    if (error instanceof QueryLimitExceeded) return error.message;
    throw error;
  }
  for (const [key, value] of [
    ["rootFields", rootFields],
    ["aliases", maxAliases],
  ] as const) {
    const variable = LIMIT_VARIABLES[key];
    const limit = limitFromEnv(env, variable.name, variable.fallback);
    if (value > limit) {
      return (
        `GraphQL queries should have at most ${limit} ${variable.noun}, got ${value} ${variable.noun}. ` +
        `To increase the limit, set the ${variable.name} environment variable.`
      );
    }
  }
  return undefined;
}

class QueryLimitExceeded extends Error {}

interface Pending {
  selectionSet: SelectionSetNode;
  depth: number;
}

function scanQuery(document: DocumentNode): { rootFields: number; maxAliases: number } {
  let rootFields = 0;
  let maxAliases = 0;
  let totalSelections = 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const stack: Pending[] = [{ selectionSet: definition.selectionSet, depth: 1 }];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (next.depth > MAX_DEPTH) throw new QueryLimitExceeded(`Query exceeds maximum depth of ${MAX_DEPTH}`);
      const { fields, aliases } = collectFields(next.selectionSet, fragments);
      for (const field of fields) {
        if (next.depth === 1) rootFields += 1;
        if (field.selectionSet !== undefined) {
          stack.push({ selectionSet: field.selectionSet, depth: next.depth + 1 });
        }
        totalSelections += 1;
        if (totalSelections > MAX_SELECTIONS) {
          throw new QueryLimitExceeded(`Query exceeds maximum total selections of ${MAX_SELECTIONS}`);
        }
      }
      maxAliases = Math.max(maxAliases, aliases);
    }
  }
  return { rootFields, maxAliases };
}

/**
 * The fields of one level, inline fragments and fragment spreads merged in, and how many carry an alias.
 * MLflow tracks visited fragments per level only, so a fragment spread twice at one level counts once.
 */
function collectFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): { fields: FieldNode[]; aliases: number } {
  const fields: FieldNode[] = [];
  let aliases = 0;
  const visited = new Set<string>();
  const queue = [...selectionSet.selections];
  for (let index = 0; index < queue.length; index += 1) {
    const selection = queue[index];
    if (selection === undefined) break;
    if (selection.kind === Kind.FIELD) {
      fields.push(selection);
      if (selection.alias !== undefined) aliases += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      queue.push(...selection.selectionSet.selections);
    } else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment !== undefined) queue.push(...fragment.selectionSet.selections);
    }
  }
  return { fields, aliases };
}

/** Read per request, as MLflow reads them; a value that is not an integer fails the request, as there. */
function limitFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) {
    throw new FlowOpsError("INTERNAL_ERROR", `${name} must be an integer, got '${raw}'.`);
  }
  return Number(raw);
}
