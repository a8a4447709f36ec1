/**
 * dvc-render's VegaRenderer (dvc_render/vega.py): fills a vega template with a plot's datapoints and the
 * encodings that tell revisions, files and fields apart. dvc prints the filled spec (`plots show --json`,
 * `--show-vega`) and embeds it in the HTML page, so the order anchors are filled in, the ranges they cycle
 * through and the datapoints' rewriting are all dvc-render's.
 */
import { compareCodePoints } from "../../data/dirManifest.js";
import { isPlainObject, PyFloat, pyJsonDumps } from "../pythonValues.js";
import { formatPlaceholders, pathlibSuffix, removeSpecialChars, type PlotRenderer } from "./plotRenderer.js";
import { badTemplate, getTemplate, pyTruthy, Template, type TemplateContent } from "./vegaTemplates.js";

export const FIELD_SEPARATOR = "::";
const REV = "rev";
const FILENAME = "filename";
const FIELD = "field";
const FILENAME_FIELD = [FILENAME, FIELD] as const;
const CONCAT_FIELDS = FILENAME_FIELD.join(FIELD_SEPARATOR);

/** The anchors `getPartialFilledTemplate` hands back separately, for Studio to fill. */
export const SPLIT_ANCHORS: readonly string[] = [
  "color",
  "data",
  "plot_height",
  "plot_width",
  "shape",
  "stroke_dash",
  "title",
  "tooltip",
  "x_label",
  "y_label",
  "zoom_and_pan",
];

export const OPTIONAL_ANCHORS: readonly string[] = [
  "color",
  "column",
  "group_by_x",
  "group_by_y",
  "group_by",
  "pivot_field",
  "plot_height",
  "plot_width",
  "row",
  "shape",
  "stroke_dash",
  "tooltip",
  "zoom_and_pan",
];

/** The values an encoding cycles through, one per revision (color) or per file/field (dash, shape). */
export const OPTIONAL_ANCHOR_RANGES: Readonly<Record<string, readonly unknown[]>> = {
  stroke_dash: [
    [1, 0],
    [8, 8],
    [8, 4],
    [4, 4],
    [4, 2],
    [2, 1],
    [1, 1],
  ],
  color: ["#945dd6", "#13adc7", "#f46837", "#48bb78", "#4299e1", "#ed8936", "#f56565"],
  shape: ["circle", "square", "triangle", "diamond"],
};

/** The renderer's input: one row per data point, tagged with `rev` and (until filling) `filename`/`field`. */
export type VegaDatapoint = Record<string, unknown>;

/** Python's type name, for the TypeErrors dvc-render would raise on values it cannot use. */
function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (value instanceof PyFloat) return "float";
  if (Array.isArray(value)) return "list";
  return isPlainObject(value) ? "dict" : typeof value;
}

/** `separator.join(items)`, failing as Python does when an item is not a string (a missing key, say). */
function joinStrings(separator: string, items: readonly unknown[]): string {
  items.forEach((item, index) => {
    if (typeof item !== "string") {
      throw new TypeError(`sequence item ${index}: expected str instance, ${pyTypeName(item)} found`);
    }
  });
  return items.join(separator);
}

/** `list.sort()` of a set's values: strings by code point; anything else next to a string cannot be ordered. */
function sortedDomain(values: ReadonlySet<unknown>): unknown[] {
  const domain = [...values];
  const other = domain.find((value) => typeof value !== "string");
  if (domain.length > 1 && other !== undefined) {
    const str = domain.find((value) => typeof value === "string");
    throw new TypeError(
      `'<' not supported between instances of '${pyTypeName(str)}' and '${pyTypeName(other)}'`,
    );
  }
  return domain.sort((a, b) => compareCodePoints(String(a), String(b)));
}

export class VegaRenderer implements PlotRenderer {
  static readonly TYPE = "vega";
  static readonly DIV = `
    <div id = "{id}">
        <script type = "text/javascript">
            var spec = {partial};
            vegaEmbed('#{id}', spec);
        </script>
    </div>
    `;
  static readonly SCRIPTS = `
    <script src="https://cdn.jsdelivr.net/npm/vega@5.20.2"></script>
    <script src="https://cdn.jsdelivr.net/npm/vega-lite@5.2.0"></script>
    <script src="https://cdn.jsdelivr.net/npm/vega-embed@6.18.2"></script>
    `;
  static readonly EXTENSIONS: ReadonlySet<string> = new Set([".yml", ".yaml", ".json", ".csv", ".tsv"]);

  readonly TYPE = VegaRenderer.TYPE;
  readonly SCRIPTS = VegaRenderer.SCRIPTS;
  readonly template: Template;
  /** The caller's properties copied, as Python's `**properties` copies them; filling adds defaults here. */
  readonly properties: Record<string, unknown>;
  private readonly splitContent: Record<string, unknown> = {};

  /**
   * `datapoints` is kept, not copied: filling rewrites its rows in place (drops or joins `filename` and
   * `field`), as dvc-render does. `properties` may hold template, template_dir, x, y, x_label, y_label,
   * title, anchors_y_definitions, revs_with_datapoints, out.
   */
  constructor(
    readonly datapoints: VegaDatapoint[],
    readonly name: string,
    properties: Readonly<Record<string, unknown>> = {},
  ) {
    this.properties = { ...properties };
    const template = this.property("template");
    const templateDir = this.property("template_dir");
    this.template = getTemplate(
      template instanceof Template || template === null ? template : String(template),
      templateDir === null ? null : String(templateDir),
    );
  }

  static matches(filename: string, _properties?: unknown): boolean {
    return VegaRenderer.EXTENSIONS.has(pathlibSuffix(filename));
  }

  /** `properties.get(name)`: null when missing, as Python's None. */
  private property(name: string): unknown {
    return this.properties[name] ?? null;
  }

  /** `properties.setdefault(name, value)`: a key present with None keeps its None. */
  private setDefault(name: string, value: unknown): void {
    if (!Object.hasOwn(this.properties, name) || this.properties[name] === undefined)
      this.properties[name] = value;
  }

  /** A functional vega spec; the anchors named in `splitAnchors` are left in it and collected apart. */
  getFilledTemplate(splitAnchors?: readonly string[], strict = true): TemplateContent {
    this.template.reset();
    if (this.datapoints.length === 0) return {};
    const split = splitAnchors ?? [];

    if (strict) {
      const x = this.property("x");
      if (pyTruthy(x)) Template.checkFieldExists(this.datapoints, x);
      const y = this.property("y");
      if (pyTruthy(y)) Template.checkFieldExists(this.datapoints, y);
    }
    this.setDefault("title", "");
    this.setDefault("x_label", this.property("x"));
    this.setDefault("y_label", this.property("y"));
    this.setDefault("data", this.datapoints);

    const variedKeys = this.processOptionalAnchors(split);
    this.updateDatapoints(variedKeys);

    for (const name of ["title", "x", "y", "x_label", "y_label", "data"]) {
      let value = this.property(name);
      if (value === null) continue;
      if (split.includes(name)) {
        this.setSplitContent(name, value);
        continue;
      }
      if (name === "data") {
        if (!this.template.hasAnchor(name)) {
          const anchor = Template.anchor(name);
          throw badTemplate(`Template '${this.template.name}' is not using '${anchor}' anchor`);
        }
      } else if ((name === "x" || name === "y") && typeof value === "string") {
        value = Template.escapeSpecialCharacters(value);
      }
      this.template.fillAnchor(name, value);
    }
    return this.template.content;
  }

  /** The template filled but for the SPLIT_ANCHORS, and what those anchors stand for. */
  getPartialFilledTemplate(): [TemplateContent, { anchor_definitions: Record<string, unknown> }] {
    const content = this.getFilledTemplate(SPLIT_ANCHORS, true);
    return [content, { anchor_definitions: this.splitContent }];
  }

  /** The template as it stands (unfilled until a fill), as dvc-render's `get_template` gives Studio. */
  getTemplate(): TemplateContent {
    return this.template.content;
  }

  /** Revisions that have datapoints: `revs_with_datapoints` when given and not empty, else from the rows. */
  getRevs(): unknown[] {
    const revs = this.property("revs_with_datapoints");
    if (Array.isArray(revs) && revs.length > 0) return revs;
    const fromDatapoints: unknown[] = [];
    for (const datapoint of this.datapoints) {
      const rev = datapoint[REV];
      if (pyTruthy(rev) && !fromDatapoints.includes(rev)) fromDatapoints.push(rev);
    }
    return fromDatapoints;
  }

  /** The filled spec as Python's `json.dumps` writes it (ASCII only, `1.0` kept a float). */
  partialHtml(_htmlPath?: string): string {
    return pyJsonDumps(this.getFilledTemplate());
  }

  generateHtml(htmlPath?: string): string {
    const partial = this.partialHtml(htmlPath);
    if (partial === "") return "";
    return formatPlaceholders(VegaRenderer.DIV, { id: removeSpecialChars(this.name), partial });
  }

  /** Fills the optional anchors the template has; the keys that vary between y sources, null with none. */
  private processOptionalAnchors(split: readonly string[]): string[] | null {
    const optional = OPTIONAL_ANCHORS.filter((name) => this.template.hasAnchor(name));
    if (optional.length === 0) return null;

    this.fillOptionalAnchorMapping(split, optional, REV, "color", this.getRevs());
    this.fillOptionalAnchor(split, optional, "zoom_and_pan", {
      name: "grid",
      select: "interval",
      bind: "scales",
    });
    this.fillOptionalAnchor(split, optional, "plot_height", 300);
    this.fillOptionalAnchor(split, optional, "plot_width", 300);

    const yDefinitions = this.property("anchors_y_definitions");
    const definitions = Array.isArray(yDefinitions) ? yDefinitions : [];
    if (definitions.length <= 1) {
      this.processSingleSourcePlot(split, optional);
      return [];
    }
    const [variedKeys, domain] = this.collectVariations(definitions);
    this.fillOptionalMultiSourceAnchors(split, optional, variedKeys, domain);
    return variedKeys;
  }

  private processSingleSourcePlot(split: readonly string[], optional: string[]): void {
    this.fillGroupBy(split, optional, [REV]);
    this.fillOptionalAnchor(split, optional, "pivot_field", "datum.rev");
    this.fillTooltip(split, optional);
    // What is left (row, column, shape, stroke_dash) is emptied, split or not, as dvc-render does.
    for (const name of optional) this.template.fillAnchor(name, {});
  }

  /** Which of filename and field differ between the y sources, and the sorted values of what differs. */
  private collectVariations(definitions: readonly unknown[]): [string[], unknown[]] {
    const varied = new Map<string, Set<unknown>>(
      [FILENAME, FIELD, CONCAT_FIELDS].map((key) => [key, new Set()]),
    );
    for (const definition of definitions) {
      const entry = isPlainObject(definition) ? definition : {};
      for (const key of FILENAME_FIELD) varied.get(key)?.add(entry[key] ?? null);
      // `defn.get(key, "")`: only a missing key defaults; a None one fails the join, as in dvc-render.
      const concatParts = FILENAME_FIELD.map((key) => (entry[key] === undefined ? "" : entry[key]));
      varied.get(CONCAT_FIELDS)?.add(joinStrings(FIELD_SEPARATOR, concatParts));
    }
    const variedKeys = FILENAME_FIELD.filter((key) => varied.get(key)?.size !== 1);
    const domainKey = variedKeys.length === 2 ? CONCAT_FIELDS : variedKeys[0];
    // Every source alike (the same file and field twice): dvc-render indexes an empty list here.
    if (domainKey === undefined) throw new RangeError("list index out of range");
    return [variedKeys, sortedDomain(varied.get(domainKey) ?? new Set())];
  }

  private fillOptionalMultiSourceAnchors(
    split: readonly string[],
    optional: string[],
    variedKeys: readonly string[],
    domain: readonly unknown[],
  ): void {
    if (optional.length === 0) return;
    const concatField = variedKeys.join(FIELD_SEPARATOR);
    this.fillGroupBy(split, optional, [REV, concatField]);
    const pivot = [REV, ...variedKeys].map((key) => `datum.${key}`).join(` + '${FIELD_SEPARATOR}' + `);
    this.fillOptionalAnchor(split, optional, "pivot_field", pivot);
    this.fillOptionalAnchor(split, optional, "row", { field: concatField, sort: [] });
    this.fillOptionalAnchor(split, optional, "column", { field: concatField, sort: [] });
    this.fillTooltip(split, optional, [concatField]);
    for (const name of ["stroke_dash", "shape"]) {
      this.fillOptionalAnchorMapping(split, optional, concatField, name, domain);
    }
  }

  private fillGroupBy(split: readonly string[], optional: string[], groupBy: readonly string[]): void {
    this.fillOptionalAnchor(split, optional, "group_by", groupBy);
    this.fillOptionalAnchor(split, optional, "group_by_x", [...groupBy, this.property("x")]);
    this.fillOptionalAnchor(split, optional, "group_by_y", [...groupBy, this.property("y")]);
  }

  private fillTooltip(
    split: readonly string[],
    optional: string[],
    additionalFields: readonly string[] = [],
  ): void {
    this.fillOptionalAnchor(split, optional, "tooltip", [
      { field: REV },
      { field: this.property("x") },
      { field: this.property("y") },
      ...additionalFields.map((field) => ({ field })),
    ]);
  }

  /** Fills (or splits out) an anchor the template has, once: it leaves `optional` when filled. */
  private fillOptionalAnchor(
    split: readonly string[],
    optional: string[],
    name: string,
    value: unknown,
  ): void {
    const index = optional.indexOf(name);
    if (index === -1) return;
    optional.splice(index, 1);
    if (split.includes(name)) this.setSplitContent(name, value);
    else this.template.fillAnchor(name, value);
  }

  private fillOptionalAnchorMapping(
    split: readonly string[],
    optional: string[],
    field: string,
    name: string,
    domain: readonly unknown[],
  ): void {
    if (!optional.includes(name)) return;
    this.fillOptionalAnchor(split, optional, name, this.optionalAnchorMapping(field, name, domain));
  }

  /** An encoding mapping each domain value to the next value of the anchor's range, starting over when spent. */
  private optionalAnchorMapping(
    field: string,
    name: string,
    domain: readonly unknown[],
  ): Record<string, unknown> {
    const fullRange = OPTIONAL_ANCHOR_RANGES[name] ?? [];
    const range = domain.map((_, index) => {
      if (fullRange.length === 0) throw new RangeError("pop from empty list");
      const value = fullRange[index % fullRange.length];
      return Array.isArray(value) ? [...(value as unknown[])] : value;
    });
    // Dash and shape legends are drawn empty, so their entries do not read as colored lines.
    const legend =
      name === "color" ? {} : { legend: { symbolFillColor: "transparent", symbolStrokeColor: "grey" } };
    return { field, scale: { domain, range }, ...legend };
  }

  /**
   * Rewrites the rows for the template's encodings: with filename and field both varying they become one
   * `filename::field` value; otherwise the ones that do not vary are dropped.
   */
  private updateDatapoints(variedKeys: readonly string[] | null): void {
    if (variedKeys === null) return;
    const toConcatenate = variedKeys.length === 2 ? variedKeys : [];
    const toRemove =
      variedKeys.length === 2 ? variedKeys : FILENAME_FIELD.filter((key) => !variedKeys.includes(key));
    for (const datapoint of this.datapoints) {
      if (toConcatenate.length > 0) {
        const values = toConcatenate.map((key) => datapoint[key] ?? null);
        datapoint[toConcatenate.join(FIELD_SEPARATOR)] = joinStrings(FIELD_SEPARATOR, values);
      }
      for (const key of toRemove) delete datapoint[key];
    }
  }

  private setSplitContent(name: string, value: unknown): void {
    this.splitContent[Template.anchor(name)] = value;
  }
}
