/** `flowops experiments ls|create`. */
import { Command, Option } from "commander";
import { formatTime, printJson, printTable } from "./output.js";
import { clientFor } from "./trackingClient.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";

const VIEW = { active: "ACTIVE_ONLY", deleted: "DELETED_ONLY", all: "ALL" } as const;

export function experimentsCommand(): Command {
  const command = new Command("experiments").description("List and create experiments.");
  command.addCommand(
    withTrackingOptions(new Command("ls"))
      .description("List experiments.")
      .option("--filter <filter>", "MLflow search filter, e.g. \"name LIKE 'churn%'\"")
      .addOption(
        new Option("--view <view>", "lifecycle stages to list").choices(Object.keys(VIEW)).default("active"),
      )
      .action(async (opts: TrackingOptions & { filter?: string; view: keyof typeof VIEW }) => {
        const client = clientFor(opts);
        const experiments = [];
        let pageToken: string | undefined;
        do {
          const page = await client.experiments.search({
            viewType: VIEW[opts.view],
            maxResults: 1000,
            ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
            ...(pageToken !== undefined ? { pageToken } : {}),
          });
          experiments.push(...page.items);
          pageToken = page.nextPageToken;
        } while (pageToken !== undefined);
        if (opts.json) return printJson(experiments);
        printTable(
          ["ID", "NAME", "STAGE", "CREATED", "ARTIFACT LOCATION"],
          experiments.map((e) => [
            e.experiment_id,
            e.name,
            e.lifecycle_stage,
            formatTime(e.creation_time),
            e.artifact_location,
          ]),
        );
      }),
  );
  command.addCommand(
    withTrackingOptions(new Command("create"))
      .description("Create an experiment and print its id.")
      .argument("<name>", "experiment name")
      .option(
        "--artifact-location <uri>",
        "where its runs' artifacts go (default: the server's artifact root)",
      )
      .action(async (name: string, opts: TrackingOptions & { artifactLocation?: string }) => {
        const id = await clientFor(opts).experiments.create(
          name,
          opts.artifactLocation !== undefined ? { artifactLocation: opts.artifactLocation } : {},
        );
        if (opts.json) printJson({ experiment_id: id });
        else process.stdout.write(`${id}\n`);
      }),
  );
  return command;
}
