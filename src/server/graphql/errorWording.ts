/**
 * MLflow answers each GraphQL error as its message alone, worded by graphql-core, the Python port of
 * graphql-js. The two word their errors alike except that graphql-core quotes names and values the Python
 * way ('Query', not "Query") and prints a NaN float as `nan`; messages of FlowOps' own errors (a resolver's
 * FlowOpsError, the Python-worded ones in rootResolvers.ts) are sent as they are.
 */
import { GraphQLError } from "graphql";

export function mlflowErrorMessage(error: GraphQLError): string {
  const own = error.originalError;
  if (own !== undefined && !(own instanceof GraphQLError) && !isCoercionError(error)) return error.message;
  return error.message.replace(/"/g, "'").replace(/non numeric value: NaN$/, "non numeric value: nan");
}

/** A variable refused by a scalar's parseValue: graphql-js's wording around the scalar's own message. */
function isCoercionError(error: GraphQLError): boolean {
  return error.message.startsWith('Variable "$');
}
