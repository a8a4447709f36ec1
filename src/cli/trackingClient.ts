/**
 * The API client for the tracking options a command was given. Apart from trackingOptions.ts so that defining
 * those options does not load the client: `data status` shares its bundle chunk with `data log`, and the
 * client's ~43 KB were compiled on every unchanged status for nothing.
 */
import { FlowOpsClient } from "../client/index.js";
import type { TrackingOptions } from "./trackingOptions.js";

export function clientFor(options: TrackingOptions): FlowOpsClient {
  return new FlowOpsClient(options.trackingUri !== undefined ? { trackingUri: options.trackingUri } : {});
}
