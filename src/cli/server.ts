/** `flowops server`: MLflow's own flags, so existing scripts switch by changing one word. */
import { Command, Option } from "commander";
import { portNumber, positiveInteger } from "./numberOptions.js";

export function serverCommand(): Command {
  return new Command("server")
    .description("Run the tracking server and model registry (MLflow REST API compatible).")
    .option(
      "--backend-store-uri <uri>",
      "metadata store: sqlite:///path.db or postgresql://... (default .flowops/flowops.db)",
    )
    .option(
      "--default-artifact-root <uri>",
      "artifact root for new experiments (default mlflow-artifacts:/ when serving artifacts)",
    )
    .option(
      "--artifacts-destination <uri>",
      "where proxied artifacts are stored: a directory or s3://bucket/prefix",
    )
    .option("--serve-artifacts", "proxy artifact uploads and downloads through this server (default)", true)
    .option("--no-serve-artifacts", "do not serve artifacts; clients write to the artifact root directly")
    .option("-h, --host <host>", "address to bind", "127.0.0.1")
    .addOption(new Option("-p, --port <port>", "port to listen on").default(5000).argParser(portNumber))
    .option("--body-limit <bytes>", "largest accepted JSON request body", positiveInteger)
    .option(
      "--protected-aliases <list>",
      "comma list of aliases that need a passing quality gate record (default production; '' for none; env FLOWOPS_PROTECTED_ALIASES)",
    )
    .option(
      "--protected-stages <list>",
      "comma list of stages that need a passing quality gate record (default Production; '' for none; env FLOWOPS_PROTECTED_STAGES)",
    )
    .option(
      "--monitoring-config <file>",
      "monitoring config YAML: slos and alerts.webhooks (default: built-in SLOs; env FLOWOPS_MONITORING_CONFIG)",
    )
    .option(
      "--retraining-config <file>",
      "retraining config YAML: per endpoint its pipeline, model, gates, triggers and cooldown (env FLOWOPS_RETRAINING_CONFIG)",
    )
    .helpOption("--help", "show help")
    .action(async (opts: Record<string, unknown>) => {
      // Loaded on use: the server graph (Fastify, Kysely, the S3 SDK) would slow every other command's start.
      const { startServer } = await import("../server/start.js");
      const server = await startServer({
        host: opts.host as string,
        port: opts.port as number,
        backendStoreUri: opts.backendStoreUri as string | undefined,
        defaultArtifactRoot: opts.defaultArtifactRoot as string | undefined,
        artifactsDestination: opts.artifactsDestination as string | undefined,
        serveArtifacts: opts.serveArtifacts as boolean,
        bodyLimit: opts.bodyLimit as number | undefined,
        protectedAliases: opts.protectedAliases as string | undefined,
        protectedStages: opts.protectedStages as string | undefined,
        monitoringConfig: opts.monitoringConfig as string | undefined,
        retrainingConfig: opts.retrainingConfig as string | undefined,
      });
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await new Promise<void>(() => undefined);
    });
}
