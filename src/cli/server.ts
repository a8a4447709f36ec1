/** `flowops server`: MLflow's own flags, so existing scripts switch by changing one word. */
import { Command, Option } from "commander";
import { parseSwitch } from "../server/securityPolicy.js";
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
    .option(
      "--allowed-hosts <list>",
      "comma list of Host headers to accept, against DNS rebinding; wildcards like 192.168.* work; '*' for all; loopback names always pass (default localhost and private IPs; env MLFLOW_SERVER_ALLOWED_HOSTS)",
    )
    .option(
      "--cors-allowed-origins <list>",
      "comma list of origins allowed cross-origin calls; '*' for all, without credentials (default http localhost origins; env MLFLOW_SERVER_CORS_ALLOWED_ORIGINS)",
    )
    .option(
      "--disable-security-middleware",
      "DANGEROUS: no host check, CORS protection or security headers (env MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE)",
    )
    .option(
      "--x-frame-options <value>",
      "X-Frame-Options header: SAMEORIGIN, DENY or NONE for none (default SAMEORIGIN; env MLFLOW_SERVER_X_FRAME_OPTIONS)",
    )
    .option(
      "--static-prefix <prefix>",
      "serve every route under this path, e.g. /mlflow behind a reverse proxy; clients use http://host:port/mlflow (env MLFLOW_STATIC_PREFIX)",
    )
    .helpOption("--help", "show help")
    .action(async (opts: Record<string, unknown>) => {
      exportSecurityOptions(opts, process.env);
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
        staticPrefix: opts.staticPrefix as string | undefined,
      });
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await new Promise<void>(() => undefined);
    });
}

/**
 * As `mlflow server` does, the security options reach the server through mlflow's own variables, which the
 * middleware reads (server/securityPolicy.ts); the variable alone turns the middleware off with any of
 * click's yes values ("1", "yes", ...), which this writes as the "true" the middleware expects.
 */
export function exportSecurityOptions(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const disableName = "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE";
  if (opts.disableSecurityMiddleware === true || parseSwitch(disableName, env[disableName])) {
    env[disableName] = "true";
    return;
  }
  const given = (option: string, variable: string): string | undefined => {
    const value = opts[option];
    return typeof value === "string" && value !== "" ? value : env[variable] || undefined;
  };
  const hosts = given("allowedHosts", "MLFLOW_SERVER_ALLOWED_HOSTS");
  if (hosts !== undefined) env.MLFLOW_SERVER_ALLOWED_HOSTS = hosts;
  const origins = given("corsAllowedOrigins", "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS");
  if (origins !== undefined) env.MLFLOW_SERVER_CORS_ALLOWED_ORIGINS = origins;
  // click reads an empty variable as unset, so the option's SAMEORIGIN default applies there too.
  env.MLFLOW_SERVER_X_FRAME_OPTIONS = given("xFrameOptions", "MLFLOW_SERVER_X_FRAME_OPTIONS") ?? "SAMEORIGIN";
}
