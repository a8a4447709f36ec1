/** The options every client-side command shares: which server to talk to, and whether to print JSON. */
import type { Command } from "commander";

export interface TrackingOptions {
  trackingUri?: string;
  json?: boolean;
}

export function withTrackingOptions(command: Command): Command {
  return command
    .option(
      "--tracking-uri <uri>",
      "tracking server URL (default $MLFLOW_TRACKING_URI, then http://127.0.0.1:5000)",
    )
    .option("--json", "print machine-readable JSON", false);
}
