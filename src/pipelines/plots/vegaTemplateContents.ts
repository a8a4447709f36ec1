/**
 * The line, scatter and bar templates of dvc-render (dvc_render/vega_templates.py), as data. Key order is
 * Python's dict order, because `plots show --json` and `plots templates <name>` print these as they are.
 * Anchors are written through `anchor()`, as dvc-render writes `Template.anchor(...)`.
 */

/** A template's vega-lite spec: a JSON object (datapoints filled in may hold PyFloat values). */
export type TemplateContent = Record<string, unknown>;

/** `Template.anchor`: the placeholder a template holds for a value, `<DVC_METRIC_NAME>`. */
export function anchor(name: string): string {
  return `<DVC_METRIC_${name.toUpperCase()}>`;
}

/**
 * The built-in contents are shared by every renderer (dvc-render never copies them either, since filling
 * builds new objects); freezing them turns an accidental in-place edit into an error instead of a
 * template that changes for every later plot.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export const SMOOTH_LINEAR_CONTENT: TemplateContent = deepFreeze({
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  data: { values: anchor("data") },
  title: { text: anchor("title"), anchor: "middle" },
  width: anchor("plot_width"),
  height: anchor("plot_height"),
  params: [{ name: "smooth", value: 0.001, bind: { input: "range", min: 0.001, max: 1, step: 0.001 } }],
  encoding: {
    x: { field: anchor("x"), type: "quantitative", title: anchor("x_label") },
    color: anchor("color"),
    strokeDash: anchor("stroke_dash"),
  },
  layer: [
    {
      layer: [
        { params: [anchor("zoom_and_pan")], mark: "line" },
        { transform: [{ filter: { param: "hover", empty: false } }], mark: "point" },
      ],
      encoding: {
        y: { field: anchor("y"), type: "quantitative", title: anchor("y_label"), scale: { zero: false } },
        color: { field: "rev", type: "nominal" },
      },
      transform: [
        { loess: anchor("y"), on: anchor("x"), groupby: anchor("group_by"), bandwidth: { signal: "smooth" } },
      ],
    },
    {
      mark: { type: "line", opacity: 0.2 },
      encoding: {
        x: { field: anchor("x"), type: "quantitative", title: anchor("x_label") },
        y: { field: anchor("y"), type: "quantitative", title: anchor("y_label"), scale: { zero: false } },
        color: { field: "rev", type: "nominal" },
      },
    },
    {
      mark: { type: "circle", size: 10 },
      encoding: {
        x: { aggregate: "max", field: anchor("x"), type: "quantitative", title: anchor("x_label") },
        y: {
          aggregate: { argmax: anchor("x") },
          field: anchor("y"),
          type: "quantitative",
          title: anchor("y_label"),
          scale: { zero: false },
        },
        color: { field: "rev", type: "nominal" },
      },
    },
    {
      transform: [
        { calculate: anchor("pivot_field"), as: "pivot_field" },
        { pivot: "pivot_field", op: "mean", value: anchor("y"), groupby: [anchor("x")] },
      ],
      mark: { type: "rule", tooltip: { content: "data" }, stroke: "grey" },
      encoding: { opacity: { condition: { value: 0.3, param: "hover", empty: false }, value: 0 } },
      params: [
        {
          name: "hover",
          select: { type: "point", fields: [anchor("x")], nearest: true, on: "mouseover", clear: "mouseout" },
        },
      ],
    },
  ],
});

export const SIMPLE_LINEAR_CONTENT: TemplateContent = deepFreeze({
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  data: { values: anchor("data") },
  title: { text: anchor("title"), anchor: "middle" },
  params: [anchor("zoom_and_pan")],
  width: anchor("plot_width"),
  height: anchor("plot_height"),
  mark: { type: "line", tooltip: { content: "data" } },
  encoding: {
    x: { field: anchor("x"), type: "quantitative", title: anchor("x_label") },
    y: { field: anchor("y"), type: "quantitative", title: anchor("y_label"), scale: { zero: false } },
    color: anchor("color"),
    strokeDash: anchor("stroke_dash"),
    tooltip: anchor("tooltip"),
  },
});

export const SCATTER_CONTENT: TemplateContent = deepFreeze({
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  data: { values: anchor("data") },
  title: { text: anchor("title"), anchor: "middle" },
  width: anchor("plot_width"),
  height: anchor("plot_height"),
  mark: { type: "point", tooltip: { content: "data" } },
  params: [anchor("zoom_and_pan")],
  encoding: {
    x: { field: anchor("x"), type: "quantitative", title: anchor("x_label") },
    y: { field: anchor("y"), type: "quantitative", title: anchor("y_label") },
    color: anchor("color"),
    shape: anchor("shape"),
    tooltip: anchor("tooltip"),
  },
});

export const SCATTER_JITTER_CONTENT: TemplateContent = deepFreeze({
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  data: { values: anchor("data") },
  title: { text: anchor("title"), anchor: "middle" },
  width: anchor("plot_width"),
  height: anchor("plot_height"),
  transform: [
    { calculate: "random()", as: "randomX" },
    { calculate: "random()", as: "randomY" },
  ],
  mark: { type: "point", tooltip: { content: "data" } },
  encoding: {
    x: { field: anchor("x"), title: anchor("x_label") },
    y: { field: anchor("y"), title: anchor("y_label") },
    color: anchor("color"),
    shape: anchor("shape"),
    tooltip: anchor("tooltip"),
    xOffset: { field: "randomX", type: "quantitative" },
    yOffset: { field: "randomY", type: "quantitative" },
  },
});

export const BAR_HORIZONTAL_SORTED_CONTENT: TemplateContent = deepFreeze({
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  data: { values: anchor("data") },
  title: { text: anchor("title"), anchor: "middle" },
  width: anchor("plot_width"),
  height: anchor("plot_height"),
  mark: { type: "bar" },
  params: [anchor("zoom_and_pan")],
  encoding: {
    x: { field: anchor("x"), type: "quantitative", title: anchor("x_label"), scale: { zero: false } },
    y: { field: anchor("y"), type: "nominal", title: anchor("y_label"), sort: "-x" },
    yOffset: { field: "rev", sort: [] },
    color: anchor("color"),
    column: anchor("column"),
  },
});

export const BAR_HORIZONTAL_CONTENT: TemplateContent = deepFreeze({
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  data: { values: anchor("data") },
  title: { text: anchor("title"), anchor: "middle" },
  width: anchor("plot_width"),
  height: anchor("plot_height"),
  mark: { type: "bar" },
  params: [anchor("zoom_and_pan")],
  encoding: {
    x: { field: anchor("x"), type: "quantitative", title: anchor("x_label"), scale: { zero: false } },
    y: { field: anchor("y"), type: "nominal", title: anchor("y_label") },
    yOffset: { field: "rev", sort: [] },
    color: anchor("color"),
    column: anchor("column"),
  },
});
