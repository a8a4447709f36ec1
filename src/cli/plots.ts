/**
 * `flowops plots show|diff|templates`: dvc's plots commands. They write dvc's HTML page (vega-lite specs
 * filled with each revision's data) or print the JSON `dvc plots show --json` prints, with its messages and
 * exit codes.
 */
import { spawn } from "node:child_process";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, Option } from "commander";
import { readDvcConfig } from "../data/dvcConfig.js";
import type { PLOT_PROP_NAMES } from "../pipelines/plots/collectPlots.js";
import { matchRenderers, plotsJson } from "../pipelines/plots/matchRenderers.js";
import { modifyPlot } from "../pipelines/plots/modifyPlot.js";
import { readWorkspacePipelines } from "../pipelines/pipelineFiles.js";
import { renderHtml } from "../pipelines/plots/plotsHtml.js";
import {
  diffRevisions,
  erroredRevisions,
  showPlots,
  type CollectedRevision,
} from "../pipelines/plots/showPlots.js";
import type { PlotError } from "../pipelines/plots/plotData.js";
import type { PlotProps } from "../pipelines/plots/vegaConverter.js";
import { VegaRenderer } from "../pipelines/plots/vegaRenderer.js";
import { TEMPLATES } from "../pipelines/plots/vegaTemplates.js";
import { pyJsonDumps } from "../pipelines/pythonValues.js";
import { findPipelineRoot, openPipelineRoot } from "./pipelineInspect.js";

interface PlotsCliOptions {
  template?: string;
  x?: string;
  y?: string;
  header: boolean;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  out?: string;
  showVega?: boolean;
  json?: boolean;
  split?: boolean;
  open?: boolean;
  htmlTemplate?: string;
}

function withPropOptions(command: Command): Command {
  return command
    .option(
      "-t, --template <path>",
      "vega template to fill with the data (a name from `plots templates` or a file)",
    )
    .option("-x <field>", "field name for the X axis")
    .option("-y <field>", "field name for the Y axis")
    .option("--no-header", "the CSV or TSV data files have no header row")
    .option("--title <text>", "plot title")
    .option("--x-label <text>", "X axis label")
    .option("--y-label <text>", "Y axis label");
}

function withPlotOptions(command: Command): Command {
  return withPropOptions(command)
    .option("-o, --out <path>", "directory to write the plots to (default: plots.out_dir, else dvc_plots)")
    .option("--show-vega", "print the filled vega spec of the one target instead of writing HTML")
    .option("--json", "print the plots as `dvc plots show --json` does")
    .addOption(new Option("--split", "with --json, keep anchor values apart from the template").hideHelp())
    .option("--open", "open the HTML page in the browser")
    .option("--html-template <path>", "HTML page to put the plots in (it must contain {plot_divs})");
}

/** dvc's `_props`: only what the command line sets (`header` only as `--no-header`). */
function cliProps(opts: PlotsCliOptions): PlotProps {
  const given: Record<(typeof PLOT_PROP_NAMES)[number], unknown> = {
    template: opts.template,
    x: opts.x,
    y: opts.y,
    x_label: opts.xLabel,
    y_label: opts.yLabel,
    title: opts.title,
    header: opts.header === false ? false : undefined,
  };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

function dvcError(message: string): void {
  process.stderr.write(`ERROR: ${message}\n`);
  process.exitCode = 1;
}

async function runPlots(
  targets: readonly string[],
  opts: PlotsCliOptions,
  collect: (root: string, cwd: string, props: PlotProps) => Promise<Map<string, CollectedRevision>>,
): Promise<void> {
  if (opts.showVega === true) {
    if (targets.length === 0) return dvcError("please specify a target for `--show-vega`");
    if (targets.length > 1) return dvcError("you can only specify one target for `--show-vega`");
    if (opts.json === true) return dvcError("'--show-vega' and '--json' are mutually exclusive options.");
  }
  const cwd = process.cwd();
  const root = findPipelineRoot(cwd);
  const dvcDir = join(root, ".dvc");
  const config = (await readDvcConfig(dvcDir)).sections.plots ?? {};
  const collected = await collect(root, cwd, cliProps(opts));
  const errored = erroredRevisions(collected);
  if (errored.length > 0) {
    process.stderr.write(`DVC failed to load some plots for following revisions: '${errored.join(", ")}'.\n`);
  }
  if (collected.size === 0 && opts.json !== true) {
    process.stderr.write("No plots were loaded, visualization file will not be created.\n");
  }
  const out = opts.out ?? config.out_dir ?? "dvc_plots";
  const renderers = matchRenderers(collected, {
    out: resolve(cwd, opts.json === true ? out : join(out, "static")),
    templatesDir: join(dvcDir, "plots"),
    onWarning: (message) => process.stderr.write(`WARNING: ${message}\n`),
  });
  if (opts.json === true) {
    const revisionErrors = new Map<string, PlotError>();
    for (const [rev, revision] of collected) {
      if ("definitionsError" in revision) revisionErrors.set(rev, revision.definitionsError);
    }
    process.stdout.write(`${pyJsonDumps(plotsJson(renderers, revisionErrors, opts.split === true))}\n`);
    return;
  }
  if (opts.showVega === true) {
    const vega = renderers.map((r) => r.renderer).find((r): r is VegaRenderer => r instanceof VegaRenderer);
    if (vega !== undefined) process.stdout.write(`${pyJsonDumps(vega.getFilledTemplate())}\n`);
    return;
  }
  if (renderers.length === 0) return;
  const outputFile = join(resolve(cwd, out), "index.html");
  let htmlTemplate = opts.htmlTemplate ?? config.html_template;
  if (opts.htmlTemplate === undefined && htmlTemplate !== undefined && !isAbsolute(htmlTemplate)) {
    htmlTemplate = join(dvcDir, htmlTemplate);
  }
  await renderHtml(
    renderers.map((r) => r.renderer),
    outputFile,
    htmlTemplate,
  );
  const url = pathToFileURL(outputFile).href;
  process.stdout.write(`${url}\n`);
  const autoOpen = config.auto_open === "true";
  if (opts.open === true || autoOpen) {
    if (!autoOpen)
      process.stdout.write("To enable auto opening, you can run:\n\n\tdvc config plots.auto_open true\n");
    openInBrowser(url);
  }
}

/** The platform's opener, detached; a machine without one gets dvc's message. */
function openInBrowser(url: string): void {
  const opener =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(opener, [url], { detached: true, stdio: "ignore" });
  child.on("error", () => {
    process.stderr.write(`Failed to open ${url}. Please try opening it manually.\n`);
    process.exitCode = 1;
  });
  child.unref();
}

export function plotsCommand(): Command {
  const command = new Command("plots").description(
    "Visualize and compare plot data (dvc plots): vega-lite charts of dvc.yaml's plots or of files.",
  );
  command.addCommand(
    withPlotOptions(
      new Command("show")
        .description("Generate plots from target files or from the `plots` definitions in dvc.yaml.")
        .argument("[targets...]", "plots to show: plot ids or data files (default: every plot defined)"),
    ).action(async (targets: string[], opts: PlotsCliOptions) =>
      runPlots(targets, opts, (root, cwd, props) => showPlots({ root, cwd, targets, props })),
    ),
  );
  command.addCommand(
    withPlotOptions(
      new Command("diff")
        .description(
          "Show multiple versions of plots by overlaying them in a single image (default: the workspace, " +
            "and HEAD too when tracked files changed).",
        )
        .argument("[revisions...]", "Git commits to plot from")
        .option(
          "--targets <paths...>",
          "plots to show: plot ids or data files (default: every plot defined)",
        ),
    ).action(async (revisions: string[], opts: PlotsCliOptions & { targets?: string[] }) => {
      const targets = opts.targets ?? [];
      return runPlots(targets, opts, async (root, cwd, props) => {
        const revs = await diffRevisions(root, revisions);
        if (revs === undefined) return new Map();
        return showPlots({ root, cwd, targets, props, revs });
      });
    }),
  );
  command.addCommand(
    withPropOptions(
      new Command("modify")
        .description("Set or unset display properties of a stage's output, making it a plot (in dvc.yaml).")
        .argument("<target>", "the output to change (written by a stage in dvc.yaml)")
        .option("--unset [property...]", "display properties to remove"),
    ).action(async (target: string, opts: PlotsCliOptions & { unset?: string[] | boolean }) => {
      const cwd = process.cwd();
      // As dvc opens the repository: a config that does not load fails modify too (251), before dvc.yaml.
      const root = await openPipelineRoot(cwd);
      await modifyPlot(target, {
        cwd,
        root,
        pipeline: await readWorkspacePipelines(root),
        props: cliProps(opts),
        ...(opts.unset !== undefined ? { unset: Array.isArray(opts.unset) ? opts.unset : [] } : {}),
        templatesDir: join(root, ".dvc", "plots"),
        onModified: (message) => process.stdout.write(`${message}\n`),
      });
    }),
  );
  command.addCommand(
    new Command("templates")
      .description("List the built-in plot templates, or print one as JSON.")
      .argument("[template]", "template to print")
      .action((template: string | undefined) => {
        if (template === undefined) {
          for (const t of TEMPLATES) process.stdout.write(`${t.DEFAULT_NAME}\n`);
          return;
        }
        const found = TEMPLATES.find((t) => t.DEFAULT_NAME === template);
        if (found === undefined) return dvcError(`Unexpected template: ${template}.`);
        process.stdout.write(`${pyJsonDumps(found.DEFAULT_CONTENT)}\n`);
      }),
  );
  return command;
}
