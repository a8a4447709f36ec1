/**
 * dvc's `match_defs_renderers` (dvc/render/match.py) and `to_json` (dvc/render/convert.py): the collected
 * revisions grouped by plot id, each group converted into one renderer (vega, or image for image files), with
 * the errors met per revision and source; then the JSON that `dvc plots show --json` prints.
 */
import { FlowOpsError } from "../../errors.js";
import { isPlainObject } from "../pythonValues.js";
import { inferDataSources, type PlotDefinitions } from "./collectPlots.js";
import { ImageConverter } from "./imageConverter.js";
import { ImageRenderer } from "./imageRenderer.js";
import { isImagePath, type PlotError } from "./plotData.js";
import type { CollectedRevision } from "./showPlots.js";
import {
  PlotConversionError,
  REVISION_FIELD,
  VegaConverter,
  type Datapoint,
  type PlotProps,
} from "./vegaConverter.js";
import { VegaRenderer } from "./vegaRenderer.js";

export type PlotRenderer = VegaRenderer | ImageRenderer;

export interface RendererWithErrors {
  renderer: PlotRenderer;
  /** By revision, then data file. */
  sourceErrors: Map<string, Map<string, PlotError>>;
  /** By revision: why its datapoints could not be made. */
  definitionErrors: Map<string, PlotError>;
}

/** dvc's `get_plot_id`. */
function fullPlotId(plotId: string, configFile: string): string {
  return configFile === "" ? plotId : `${configFile}::${plotId}`;
}

/**
 * `group_definitions_by_id`: a plot id defined in one config file keeps its name; one defined in several is
 * named `config::id` in each.
 */
function groupDefinitionsById(definitions: PlotDefinitions): Map<string, [string, PlotProps]> {
  const byId = new Map<string, Map<string, [string, PlotProps]>>();
  for (const [configFile, content] of Object.entries(definitions)) {
    for (const [plotId, definition] of Object.entries(content.data)) {
      if (!byId.has(plotId)) byId.set(plotId, new Map());
      byId.get(plotId)!.set(configFile, [plotId, definition]);
    }
  }
  const result = new Map<string, [string, PlotProps]>();
  for (const [plotId, configs] of byId) {
    if (configs.size === 1) result.set(plotId, [...configs.values()][0]!);
    else for (const [configFile, entry] of configs) result.set(fullPlotId(plotId, configFile), entry);
  }
  return result;
}

/** Python's truthiness for parsed file contents: empty mappings, lists, strings and bytes count as no data. */
function hasData(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value) || Buffer.isBuffer(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

export interface MatchOptions {
  /** Where image plots are copied (dvc: `<out>/static` for HTML, `<out>` for JSON). */
  out?: string;
  /** The directory of custom templates (`.dvc/plots`). */
  templatesDir?: string;
  onWarning?: (message: string) => void;
}

export function matchRenderers(
  collected: ReadonlyMap<string, CollectedRevision>,
  options: MatchOptions = {},
): RendererWithErrors[] {
  const groups = new Map<string, [string, string, PlotProps][]>();
  for (const [rev, revision] of collected) {
    if (!("definitions" in revision)) continue;
    for (const [plotId, [innerId, definition]] of groupDefinitionsById(revision.definitions)) {
      if (!groups.has(plotId)) groups.set(plotId, []);
      groups.get(plotId)!.push([rev, innerId, definition]);
    }
  }
  const renderers: RendererWithErrors[] = [];
  for (const [plotId, group] of groups) {
    // The first revision's definition wins key by key (`_squash_plots_properties`).
    let props: PlotProps = {};
    for (const [, , definition] of [...group].reverse()) props = { ...props, ...definition };
    if (options.out !== undefined) props.out = options.out;
    if (options.templatesDir !== undefined) props.template_dir = options.templatesDir;
    const datapoints: Datapoint[] = [];
    let firstProps: PlotProps = {};
    const sourceErrors = new Map<string, Map<string, PlotError>>();
    const definitionErrors = new Map<string, PlotError>();
    const revs: string[] = [];
    let image = false;
    let rendererId = plotId;
    for (const [rev, innerId, definition] of group) {
      const revision = collected.get(rev)!;
      const sources = inferDataSources(innerId, definition);
      const data: Record<string, unknown> = {};
      for (const source of sources) {
        const found = "sources" in revision ? revision.sources[source] : undefined;
        if (found !== undefined && "data" in found && hasData(found.data)) data[source] = found.data;
        if (found !== undefined && "error" in found) {
          if (!sourceErrors.has(rev)) sourceErrors.set(rev, new Map());
          sourceErrors.get(rev)!.set(source, found.error);
        }
      }
      image = isImagePath(innerId);
      rendererId = image ? innerId : plotId;
      const converter = image ? new ImageConverter(data, props) : new VegaConverter(innerId, data, props);
      let converted: [Datapoint[], PlotProps];
      try {
        converted = converter.flatDatapoints(rev);
      } catch (error) {
        const failure = conversionError(error);
        options.onWarning?.(`In '${rev}', ${failure.msg.toLowerCase()}`);
        definitionErrors.set(rev, failure);
        continue;
      }
      const [points, revProps] = converted;
      if (points.length > 0 && !revs.includes(rev)) revs.push(rev);
      if (Object.keys(firstProps).length === 0 && Object.keys(revProps).length > 0) firstProps = revProps;
      datapoints.push(...points);
    }
    if (!("title" in firstProps)) firstProps.title = rendererId;
    if (revs.length > 0) firstProps.revs_with_datapoints = revs;
    const renderer = image
      ? new ImageRenderer(datapoints, rendererId, firstProps)
      : new VegaRenderer(datapoints, rendererId, firstProps);
    renderers.push({ renderer, sourceErrors, definitionErrors });
  }
  return renderers;
}

function conversionError(error: unknown): PlotError {
  if (error instanceof PlotConversionError) return { type: error.type, msg: error.message };
  if (error instanceof FlowOpsError) return { type: "DvcException", msg: error.message };
  throw error;
}

/** `to_json` of one renderer: a vega spec filled with every revision's data, or one entry per image. */
export function rendererJson(renderer: PlotRenderer, split = false): Record<string, unknown>[] {
  if (renderer instanceof ImageRenderer) {
    return renderer.datapoints.map((datapoint) => ({
      type: "image",
      revisions: [datapoint[REVISION_FIELD]],
      url: datapoint.src,
    }));
  }
  if (renderer.datapoints.length === 0) return [];
  const revisions = renderer.getRevs();
  if (split) {
    const [content, splitContent] = renderer.getPartialFilledTemplate();
    return [{ type: "vega", revisions, content, ...splitContent }];
  }
  return [{ type: "vega", revisions, content: renderer.getFilledTemplate() }];
}

/**
 * The document `dvc plots show --json` prints: `data` by renderer name and `errors` (sources, definitions,
 * then whole revisions), each left out when empty.
 */
export function plotsJson(
  renderers: readonly RendererWithErrors[],
  revisionErrors: ReadonlyMap<string, PlotError>,
  split = false,
): Record<string, unknown> {
  const errors: Record<string, unknown>[] = [];
  const data: Record<string, unknown> = {};
  for (const { renderer, sourceErrors, definitionErrors } of renderers) {
    data[renderer.name] = rendererJson(renderer, split);
    for (const [rev, perSource] of sourceErrors) {
      for (const [source, error] of perSource) errors.push({ name: renderer.name, rev, source, ...error });
    }
    for (const [rev, error] of definitionErrors) errors.push({ name: renderer.name, rev, ...error });
  }
  for (const [rev, error] of revisionErrors) errors.push({ rev, ...error });
  return {
    ...(errors.length > 0 ? { errors } : {}),
    ...(Object.keys(data).length > 0 ? { data } : {}),
  };
}
