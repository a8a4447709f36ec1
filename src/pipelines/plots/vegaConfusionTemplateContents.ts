/**
 * The confusion-matrix templates of dvc-render (`ConfusionTemplate`, `NormalizedConfusionTemplate` in
 * dvc_render/vega_templates.py), kept apart from the others only for file size. Key order is Python's
 * dict order, because `plots show --json` and `plots templates <name>` print these as they are.
 */
import { anchor, deepFreeze, type TemplateContent } from "./vegaTemplateContents.js";

export const CONFUSION_CONTENT: TemplateContent = deepFreeze({
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  data: { values: anchor("data") },
  title: { text: anchor("title"), anchor: "middle" },
  facet: { column: { field: "rev", sort: [] }, row: anchor("row") },
  params: [{ name: "showValues", bind: { input: "checkbox" } }],
  spec: {
    transform: [
      { aggregate: [{ op: "count", as: "xy_count" }], groupby: [anchor("y"), anchor("x")] },
      { impute: "xy_count", groupby: anchor("group_by_y"), key: anchor("x"), value: 0 },
      { impute: "xy_count", groupby: anchor("group_by_x"), key: anchor("y"), value: 0 },
      { joinaggregate: [{ op: "max", field: "xy_count", as: "max_count" }], groupby: [] },
      { calculate: "datum.xy_count / datum.max_count", as: "percent_of_max" },
    ],
    encoding: {
      x: { field: anchor("x"), type: "nominal", sort: "ascending", title: anchor("x_label") },
      y: { field: anchor("y"), type: "nominal", sort: "ascending", title: anchor("y_label") },
    },
    layer: [
      {
        mark: "rect",
        width: anchor("plot_width"),
        height: anchor("plot_height"),
        encoding: {
          color: { field: "xy_count", type: "quantitative", title: "", scale: { domainMin: 0, nice: true } },
        },
      },
      {
        selection: {
          label: { type: "single", on: "mouseover", encodings: ["x", "y"], empty: "none", clear: "mouseout" },
        },
        mark: "rect",
        encoding: {
          tooltip: [
            { field: anchor("x"), type: "nominal" },
            { field: anchor("y"), type: "nominal" },
            { field: "xy_count", type: "quantitative" },
          ],
          opacity: { condition: { selection: "label", value: 1 }, value: 0 },
        },
      },
      {
        transform: [{ filter: { selection: "label" } }],
        layer: [{ mark: { type: "rect", color: "lightpink" } }],
      },
      {
        mark: "text",
        encoding: {
          text: { condition: { param: "showValues", field: "xy_count", type: "quantitative" } },
          color: { condition: { test: "datum.percent_of_max > 0.5", value: "white" }, value: "black" },
        },
      },
    ],
  },
});

export const NORMALIZED_CONFUSION_CONTENT: TemplateContent = deepFreeze({
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  data: { values: anchor("data") },
  title: { text: anchor("title"), anchor: "middle" },
  facet: { column: { field: "rev", sort: [] }, row: anchor("row") },
  spec: {
    transform: [
      { aggregate: [{ op: "count", as: "xy_count" }], groupby: [anchor("y"), anchor("x")] },
      { impute: "xy_count", groupby: ["rev", anchor("y")], key: anchor("x"), value: 0 },
      { impute: "xy_count", groupby: anchor("group_by_x"), key: anchor("y"), value: 0 },
      { joinaggregate: [{ op: "sum", field: "xy_count", as: "sum_y" }], groupby: [anchor("y")] },
      { calculate: "datum.xy_count / datum.sum_y", as: "percent_of_y" },
    ],
    encoding: {
      x: { field: anchor("x"), type: "nominal", sort: "ascending", title: anchor("x_label") },
      y: { field: anchor("y"), type: "nominal", sort: "ascending", title: anchor("y_label") },
    },
    layer: [
      {
        mark: "rect",
        width: anchor("plot_width"),
        height: anchor("plot_height"),
        encoding: {
          color: { field: "percent_of_y", type: "quantitative", title: "", scale: { domain: [0, 1] } },
        },
      },
      {
        selection: {
          label: { type: "single", on: "mouseover", encodings: ["x", "y"], empty: "none", clear: "mouseout" },
        },
        mark: "rect",
        encoding: {
          tooltip: [
            { field: anchor("x"), type: "nominal" },
            { field: anchor("y"), type: "nominal" },
            { field: "percent_of_y", type: "quantitative", format: ".2f" },
          ],
          opacity: { condition: { selection: "label", value: 1 }, value: 0 },
        },
      },
      {
        transform: [{ filter: { selection: "label" } }],
        layer: [{ mark: { type: "rect", color: "lightpink" } }],
      },
      {
        mark: "text",
        encoding: {
          color: { condition: { test: "datum.percent_of_y > 0.5", value: "white" }, value: "black" },
        },
      },
    ],
  },
});
