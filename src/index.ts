/** Public API of the `flowops` package. */
export { FlowOpsError, type ErrorCode } from "./errors.js";
export { startServer, type RunningServer, type ServerSettings } from "./server/start.js";
export type * from "./tracking/entities.js";
export { FlowOpsClient, type ClientOptions } from "./client/index.js";
