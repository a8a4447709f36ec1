/** `flowops quickstart`: runs the main job and prints where to look. */
import { Command, Option } from "commander";

export function quickstartCommand(): Command {
  return new Command("quickstart")
    .description(
      "Start the embedded server, run an example training run, register its model, print the URLs.",
    )
    .option("--keep-running", "keep the server running after the example (Ctrl-C to stop)", false)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .addOption(
      new Option("--port <port>", "port for the server (0 picks a free one)").default(0).argParser(Number),
    )
    .option("--json", "print the result as JSON", false)
    .action(async (opts: { keepRunning: boolean; host: string; port: number; json: boolean }) => {
      // Loaded on use, like `server`: it pulls in the whole server graph.
      const { runQuickstart } = await import("../quickstart/runQuickstart.js");
      const result = await runQuickstart({
        host: opts.host,
        port: opts.port,
        log: opts.json ? () => undefined : (line) => process.stdout.write(`${line}\n`),
      });
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ experiment_id: result.experimentId, run_id: result.runId, model: result.modelName, version: result.modelVersion, accuracy: result.accuracy, urls: result.urls }, null, 2)}\n`,
        );
      } else {
        process.stdout.write("\nDone. Look at:\n");
        for (const [name, url] of Object.entries(result.urls))
          process.stdout.write(`  ${name.padEnd(10)} ${url}\n`);
        process.stdout.write(`\nPoint the mlflow client at it: MLFLOW_TRACKING_URI=${result.server.url}\n`);
      }
      if (!opts.keepRunning) {
        await result.server.close();
        return;
      }
      process.stdout.write("Serving until Ctrl-C.\n");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await result.server.close();
    });
}
