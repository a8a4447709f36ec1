/** `flowops models ls|show|alias`. */
import { Command } from "commander";
import { isVersionOf, modelVersionsOfModelFilter } from "../registry/modelNameFilter.js";
import { formatTime, printJson, printTable } from "./output.js";
import { clientFor } from "./trackingClient.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";

export function modelsCommand(): Command {
  const command = new Command("models").description("List and inspect registered models; manage aliases.");
  command.addCommand(
    withTrackingOptions(new Command("ls"))
      .description("List registered models.")
      .option("--filter <filter>", "e.g. \"name LIKE 'churn%'\"")
      .action(async (opts: TrackingOptions & { filter?: string }) => {
        const page = await clientFor(opts).registry.searchRegisteredModels({
          maxResults: 1000,
          ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
        });
        if (opts.json) return printJson(page.items);
        printTable(
          ["NAME", "LATEST", "ALIASES", "UPDATED"],
          page.items.map((m) => [
            m.name,
            m.latest_versions
              .map((v) => `${v.version}${v.current_stage !== "None" ? `(${v.current_stage})` : ""}`)
              .join(","),
            m.aliases.map((a) => `${a.alias}->${a.version}`).join(","),
            formatTime(m.last_updated_timestamp),
          ]),
        );
      }),
  );
  command.addCommand(
    withTrackingOptions(new Command("show"))
      .description("Show a registered model with all its versions.")
      .argument("<name>")
      .action(async (name: string, opts: TrackingOptions) => {
        const client = clientFor(opts);
        const model = await client.registry.getRegisteredModel(name);
        const page = await client.registry.searchModelVersions({
          filter: modelVersionsOfModelFilter(name),
          maxResults: 1000,
        });
        const versions = { ...page, items: page.items.filter(isVersionOf(name)) };
        if (opts.json) return printJson({ registered_model: model, model_versions: versions.items });
        process.stdout.write(`${model.name}${model.description ? ` — ${model.description}` : ""}\n\n`);
        printTable(
          ["VERSION", "STAGE", "ALIASES", "RUN", "SOURCE", "CREATED"],
          versions.items.map((v) => [
            v.version,
            v.current_stage,
            v.aliases.join(","),
            v.run_id ?? "",
            v.source,
            formatTime(v.creation_timestamp),
          ]),
        );
      }),
  );
  command.addCommand(
    withTrackingOptions(new Command("alias"))
      .description("Point an alias at a version (or remove it with --delete).")
      .argument("<name>")
      .argument("<alias>")
      .argument("[version]")
      .option("--delete", "remove the alias", false)
      .action(
        async (
          name: string,
          alias: string,
          version: string | undefined,
          opts: TrackingOptions & { delete: boolean },
        ) => {
          const client = clientFor(opts);
          if (opts.delete) {
            await client.registry.deleteAlias(name, alias);
          } else {
            if (version === undefined) throw new Error("a version is required unless --delete is given");
            await client.registry.setAlias(name, alias, version);
          }
          const result = { name, alias, version: opts.delete ? null : version };
          if (opts.json) printJson(result);
          else
            process.stdout.write(
              opts.delete ? `removed ${name}@${alias}\n` : `${name}@${alias} -> ${version}\n`,
            );
        },
      ),
  );
  return command;
}
