/** What every resolver of a `/graphql` request reads: the server's stores and settings. */
import type { ServerContext } from "../context.js";

export interface GraphqlContext {
  server: ServerContext;
}
