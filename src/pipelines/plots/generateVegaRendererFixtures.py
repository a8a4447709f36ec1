"""Expected outputs of dvc-render 1.0.2 for FlowOps' port (src/pipelines/plots/*.test.ts).

Computed by dvc_render itself (VegaRenderer, ImageRenderer, render_html, the templates): each case holds its
inputs and what dvc-render 1.0.2 returned for them.

Run with the dvc venv that .ci/run creates (dvc 3.67.1 pins dvc-render 1.0.2):
  tests/compat/.venv/dvc/bin/python src/pipelines/plots/generateVegaRendererFixtures.py \
    | npx prettier --parser json > src/pipelines/plots/vegaRenderer.fixtures.json
Paths that differ per run are written as $TEMPLATE_DIR / $OUT_DIR; the test substitutes its own.
"""
import copy, json, os, sys, tempfile
from pathlib import Path

import dvc_render
from dvc_render import ImageRenderer, VegaRenderer, render_html
from dvc_render.base import Renderer
from dvc_render.vega_templates import TEMPLATES, Template, dict_replace_value, find_value, list_replace_value

tmp = Path(tempfile.mkdtemp())
TEMPLATE_DIR = tmp / "templates"
TEMPLATE_DIR.mkdir()
OUT_DIR = tmp / "out"

TEMPLATE_FILES = {
    "custom.json": json.dumps({
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": "<DVC_METRIC_DATA>"},
        "title": "<DVC_METRIC_TITLE>",
        "mark": {"type": "line", "strokeWidth": 2.0},
        "encoding": {
            "x": {"field": "<DVC_METRIC_X>", "type": "quantitative", "title": "<DVC_METRIC_X_LABEL>"},
            "y": {"field": "<DVC_METRIC_Y>", "type": "quantitative", "title": "<DVC_METRIC_Y_LABEL> of <DVC_METRIC_X>"},
            "color": "<DVC_METRIC_COLOR>",
        },
        "layer": [["<DVC_METRIC_X>"], {"description": "<DVC_METRIC_Y> nested"}],
    }, indent=2),
    "nodata.json": json.dumps({"mark": "line", "encoding": {"x": {"field": "<DVC_METRIC_X>"}}}),
    "notadict.json": "[1, 2]",
    "linear.json": json.dumps({"data": {"values": "<DVC_METRIC_DATA>"}, "note": "overrides the built-in linear"}),
}
for name, text in TEMPLATE_FILES.items():
    (TEMPLATE_DIR / name).write_text(text)


def sub(value):
    """Run-specific paths to placeholders."""
    if isinstance(value, str):
        return value.replace(str(TEMPLATE_DIR), "$TEMPLATE_DIR").replace(str(OUT_DIR), "$OUT_DIR")
    if isinstance(value, list):
        return [sub(v) for v in value]
    if isinstance(value, dict):
        return {k: sub(v) for k, v in value.items()}
    return value


def unsub(value):
    if isinstance(value, str):
        return value.replace("$TEMPLATE_DIR", str(TEMPLATE_DIR)).replace("$OUT_DIR", str(OUT_DIR))
    if isinstance(value, list):
        return [unsub(v) for v in value]
    if isinstance(value, dict):
        return {k: unsub(v) for k, v in value.items()}
    return value


def error(e):
    return {"type": type(e).__name__, "message": str(e)}


def rows(rev, filename, field, xs, ys, x="step", y=None, extra=None):
    y = y or field
    out = []
    for xv, yv in zip(xs, ys):
        row = {x: xv, y: yv, "rev": rev, "filename": filename, "field": field}
        row.update(extra or {})
        out.append(row)
    return out


def inferred(rev, filename, field, xs, ys):
    """dvc's converter output when several y sources share one plot: values under dvc_inferred_y_value."""
    out = []
    for xv, yv in zip(xs, ys):
        out.append({"step": xv, field: yv, "dvc_inferred_y_value": yv, "rev": rev, "filename": filename, "field": field})
    return out


CASES = []


HTML_CASES = {
    "linear default template, single source", "several y fields of one file (field varies)",
    "several files (filename varies), shapes and dashes cycle", "filename and field both vary, two revisions",
    "confusion template, two revisions", "field names with . [ ] are escaped in x and y only",
    "custom template from the templates dir by name", "no datapoints",
}


def case(name, datapoints, plot_name, properties, split=False, strict=True):
    CASES.append({"name": name, "datapoints": datapoints, "plotName": plot_name, "properties": properties,
                  "split": split, "strict": strict})


single_props = {"x": "step", "y": "loss", "title": "Loss", "x_label": "step", "y_label": "loss",
                "anchors_y_definitions": [{"filename": "logs/loss.json", "field": "loss"}],
                "revs_with_datapoints": ["workspace"]}
single_rows = rows("workspace", "logs/loss.json", "loss", [0, 1, 2], [1.0, 0.5, 0.25])
case("linear default template, single source", single_rows, "logs/loss.json", single_props)
case("linear default template, split anchors", single_rows, "logs/loss.json", single_props, split=True)
case("no properties but x and y (labels and title default)", rows("workspace", "a.json", "acc", [0, 1], [0.1, 0.2]),
     "a.json", {"x": "step", "y": "acc"})
case("revisions from datapoints when revs_with_datapoints is missing or empty",
     rows("HEAD", "a.json", "acc", [0, 1], [0.1, 0.2]) + rows("", "a.json", "acc", [0], [0.3])
     + rows("workspace", "a.json", "acc", [0, 1], [0.4, 0.5]) + rows("HEAD", "a.json", "acc", [2], [0.6]),
     "a.json", {"x": "step", "y": "acc", "revs_with_datapoints": []})

two_fields = inferred("workspace", "logs.json", "loss", [0, 1], [0.9, 0.7]) + inferred("workspace", "logs.json", "acc", [0, 1], [0.1, 0.3])
fields_props = {"x": "step", "y": "dvc_inferred_y_value", "title": "Training", "x_label": "step", "y_label": "y",
                "anchors_y_definitions": [{"filename": "logs.json", "field": "loss"}, {"filename": "logs.json", "field": "acc"}],
                "revs_with_datapoints": ["workspace"]}
case("several y fields of one file (field varies)", two_fields, "dvc.yaml::Training", fields_props)
case("several y fields of one file, split", two_fields, "dvc.yaml::Training", fields_props, split=True)

files = [f"eval/run{i}/loss.json" for i in (3, 1, 2, 10, 0)]
many_files = []
for i, f in enumerate(files):
    many_files += inferred("workspace", f, "loss", [0, 1], [i + 0.5, float(i)])
files_props = {"x": "step", "y": "dvc_inferred_y_value", "title": "Runs",
               "anchors_y_definitions": [{"filename": f, "field": "loss"} for f in files],
               "revs_with_datapoints": ["workspace"]}
case("several files (filename varies), shapes and dashes cycle", many_files, "dvc.yaml::Runs",
     {**files_props, "template": "scatter"})
case("several files with the simple template", copy.deepcopy(many_files), "dvc.yaml::Runs", {**files_props, "template": "simple"})
case("several files with the linear template", copy.deepcopy(many_files), "dvc.yaml::Runs", files_props)

both = (inferred("HEAD", "a.json", "loss", [0, 1], [1.0, 0.5]) + inferred("HEAD", "b.json", "acc", [0, 1], [0.2, 0.4])
        + inferred("workspace", "a.json", "loss", [0, 1], [0.9, 0.4]) + inferred("workspace", "b.json", "acc", [0, 1], [0.3, 0.6]))
both_props = {"x": "step", "y": "dvc_inferred_y_value", "title": "Both",
              "anchors_y_definitions": [{"filename": "b.json", "field": "acc"}, {"filename": "a.json", "field": "loss"}],
              "revs_with_datapoints": ["HEAD", "workspace"]}
case("filename and field both vary, two revisions", both, "dvc.yaml::Both", both_props)
case("filename and field both vary, split", copy.deepcopy(both), "dvc.yaml::Both", both_props, split=True)
case("filename and field both vary, smooth template", copy.deepcopy(both), "dvc.yaml::Both", {**both_props, "template": "smooth"})

revs = [f"rev{i}" for i in range(9)]
many_revs = []
for i, r in enumerate(revs):
    many_revs += rows(r, "m.json", "acc", [0], [i / 10])
case("nine revisions cycle the colors", many_revs, "m.json",
     {"x": "step", "y": "acc", "anchors_y_definitions": [{"filename": "m.json", "field": "acc"}], "revs_with_datapoints": revs})

confusion = []
for rev in ("HEAD", "workspace"):
    for a, p in [("cat", "cat"), ("cat", "dog"), ("dog", "dog"), ("bird", "cat")]:
        confusion.append({"actual": a, "predicted": p, "rev": rev, "filename": "cm.csv", "field": "predicted"})
cm_props = {"x": "actual", "y": "predicted", "template": "confusion", "title": "Confusion",
            "anchors_y_definitions": [{"filename": "cm.csv", "field": "predicted"}], "revs_with_datapoints": ["HEAD", "workspace"]}
case("confusion template, two revisions", confusion, "cm.csv", cm_props)
case("confusion template, split", copy.deepcopy(confusion), "cm.csv", cm_props, split=True)
case("confusion_normalized template", copy.deepcopy(confusion), "cm.csv", {**cm_props, "template": "confusion_normalized"})
cm2 = [dict(r, filename="cm2.csv") for r in confusion[:4]]
case("confusion template, two files fill the row facet", copy.deepcopy(confusion[:4]) + cm2, "dvc.yaml::cm",
     {**cm_props, "anchors_y_definitions": [{"filename": "cm.csv", "field": "predicted"}, {"filename": "cm2.csv", "field": "predicted"}],
      "revs_with_datapoints": ["HEAD"]})

bars = [{"importance": v, "feature": f, "rev": "workspace", "filename": "imp.csv", "field": "feature"}
        for f, v in [("age", "0.3"), ("income", "0.5"), ("zip", "0.2")]]
bar_props = {"x": "importance", "y": "feature", "title": "Feature importance", "anchors_y_definitions": [{"filename": "imp.csv", "field": "feature"}]}
case("bar_horizontal_sorted template (CSV strings)", bars, "imp.csv", {**bar_props, "template": "bar_horizontal_sorted"})
case("bar_horizontal template", copy.deepcopy(bars), "imp.csv", {**bar_props, "template": "bar_horizontal"})
case("scatter_jitter template", copy.deepcopy(bars), "imp.csv", {**bar_props, "template": "scatter_jitter"})
case("simple template, single source", rows("workspace", "a.json", "acc", [0, 1], [0.1, 0.2]), "a.json",
     {"x": "step", "y": "acc", "template": "simple", "anchors_y_definitions": [{"filename": "a.json", "field": "acc"}]})
case("smooth template, single source, split", rows("workspace", "a.json", "acc", [0, 1], [0.1, 0.2]), "a.json",
     {"x": "step", "y": "acc", "template": "smooth"}, split=True)

special = [{"metrics.val[0]": i, "loss.total": 1 / (i + 1), "rev": "workspace", "filename": "s.json", "field": "loss.total"} for i in range(2)]
case("field names with . [ ] are escaped in x and y only", special, "dvc.yaml::weird <id>/name.png",
     {"x": "metrics.val[0]", "y": "loss.total", "title": "Lösses ✓ <DVC_METRIC_X> $& \"quoted\"",
      "anchors_y_definitions": [{"filename": "s.json", "field": "loss.total"}]})

case("custom template from the templates dir by name", rows("workspace", "a.json", "acc", [0, 1], [0.1, 1.0]), "a.json",
     {"x": "step", "y": "acc", "template": "custom", "template_dir": "$TEMPLATE_DIR", "revs_with_datapoints": ["workspace"]})
case("custom template by name with .json", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json",
     {"x": "step", "y": "acc", "template": "custom.json", "template_dir": "$TEMPLATE_DIR"})
case("custom template by absolute path", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json",
     {"x": "step", "y": "acc", "template": "$TEMPLATE_DIR/custom.json"})
case("custom template, split", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json",
     {"x": "step", "y": "acc", "template": "custom", "template_dir": "$TEMPLATE_DIR"}, split=True)
case("a file in the templates dir overrides a built-in name", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json",
     {"x": "step", "y": "acc", "template_dir": "$TEMPLATE_DIR"})
case("a template without the data anchor", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json",
     {"x": "step", "y": "acc", "template": "nodata", "template_dir": "$TEMPLATE_DIR"})
case("a template file that is not an object", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json",
     {"x": "step", "y": "acc", "template": "notadict", "template_dir": "$TEMPLATE_DIR"})
case("an unknown template", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json",
     {"x": "step", "y": "acc", "template": "nope", "template_dir": "$TEMPLATE_DIR"})
case("a missing x field", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json", {"x": "epoch", "y": "acc"})
case("a missing y field", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json", {"x": "step", "y": "nope"})
case("a missing field is not checked when not strict", rows("workspace", "a.json", "acc", [0], [0.1]), "a.json",
     {"x": "step", "y": "nope"}, strict=False)
case("no datapoints", [], "empty.json", {"x": "step", "y": "acc"})


def run_case(c):
    props = unsub(c["properties"])
    result = {}
    try:
        r = VegaRenderer(copy.deepcopy(c["datapoints"]), c["plotName"], **copy.deepcopy(props))
    except Exception as e:
        return {"error": error(e)}
    result["revs"] = r.get_revs()
    try:
        if c["split"]:
            content, split = r.get_partial_filled_template()
            result["content"] = content
            result["anchorDefinitions"] = split["anchor_definitions"]
        else:
            result["content"] = r.get_filled_template(strict=c["strict"])
    except Exception as e:
        result["error"] = error(e)
        return result
    result["datapointsAfter"] = r.datapoints
    result["propertiesAfter"] = sub({k: v for k, v in r.properties.items() if k != "data"})
    fresh = VegaRenderer(copy.deepcopy(c["datapoints"]), c["plotName"], **copy.deepcopy(props))
    if c["name"] in HTML_CASES:
        result["html"] = fresh.generate_html()
    return result


for c in CASES:
    c["expected"] = sub(run_case(c))

templates = {
    "names": [t.DEFAULT_NAME for t in TEMPLATES],
    "contents": {t.DEFAULT_NAME: t.DEFAULT_CONTENT for t in TEMPLATES},
    "filenames": {t.DEFAULT_NAME: str(t().filename) for t in TEMPLATES},
    "cliJson": {t.DEFAULT_NAME: json.dumps(t.DEFAULT_CONTENT) for t in TEMPLATES},
}

REPLACE_INPUT = {"a": "<DVC_METRIC_X>", "b": "pre <DVC_METRIC_X> post <DVC_METRIC_X>", "c": ["<DVC_METRIC_X>", "in <DVC_METRIC_X>", ["<DVC_METRIC_X>"], {"d": "<DVC_METRIC_X>!"}], "e": 1, "f": None}
helpers = {
    "replaceInput": REPLACE_INPUT,
    "replaceWithString": dict_replace_value(REPLACE_INPUT, "<DVC_METRIC_X>", "$1.v"),
    "replaceWithList": dict_replace_value(REPLACE_INPUT, "<DVC_METRIC_X>", ["rev", None]),
    "listReplace": list_replace_value(["<DVC_METRIC_X>", ["<DVC_METRIC_X>"], "x <DVC_METRIC_X>"], "<DVC_METRIC_X>", {"k": 1}),
    "findValue": [
        [{"a": {"b": ["<A>"]}}, "<A>", find_value({"a": {"b": ["<A>"]}}, "<A>")],
        [{"a": [["<A>"]]}, "<A>", find_value({"a": [["<A>"]]}, "<A>")],
        [{"a": [{"b": "<A>"}]}, "<A>", find_value({"a": [{"b": "<A>"}]}, "<A>")],
        [{"a": "x<A>"}, "<A>", find_value({"a": "x<A>"}, "<A>")],
        ["<A>", "<A>", find_value("<A>", "<A>")],
    ],
    "escape": {s: Template.escape_special_characters(s) for s in ["a.b", "m[0].x", "plain", "\\."]},
    "anchor": {s: Template.anchor(s) for s in ["x", "x_label", "zoom_and_pan"]},
    "removeSpecialChars": {s: Renderer.remove_special_chars(s) for s in ["dvc.yaml::Loss curve/ä", "a!b@c#d$e%f^g&h*i(j)k[l]m{n}o;p,q<r>s?t\\u/v:w.x|y`z~1=2_3+4 5-6"]},
    "suffix": {s: Path(s).suffix for s in ["a.json", "a/b.tar.gz", ".hidden", "a.", "dir.d/file", "x.JSON", "a/b.png/", "./c.csv", ""]},
    "vegaMatches": {s: VegaRenderer.matches(s) for s in ["a.json", "b.yaml", "c.YML", "d.tsv", "e.png", "f"]},
    "imageMatches": {s: ImageRenderer.matches(s) for s in ["a.jpg", "b.jpeg", "c.gif", "d.png", "e.svg", "f.PNG", "g.json"]},
}

# render_html
OUT_DIR.mkdir()
(OUT_DIR / "static").mkdir()
html_cases = []


def html_case(name, renderers, template=None, template_text=None, refresh=None):
    output = OUT_DIR / f"{len(html_cases)}" / "index.html"
    html_template = None
    if template_text is not None:
        html_template = tmp / f"page{len(html_cases)}.html"
        html_template.write_bytes(template_text.encode())
    elif template is not None:
        html_template = template
    built = []
    for kind, dps, rname, props in renderers:
        cls = VegaRenderer if kind == "vega" else ImageRenderer
        built.append(cls(copy.deepcopy(unsub(dps)), rname, **copy.deepcopy(props)))
    entry = {"name": name, "renderers": renderers, "templateText": template_text, "template": template, "refreshSeconds": refresh}
    try:
        render_html(built, output, html_template=html_template, refresh_seconds=refresh)
        entry["expected"] = {"html": sub(output.read_text())}
    except Exception as e:
        entry["expected"] = {"error": error(e)}
    html_cases.append(entry)


def img(rev, name, src):
    return {"rev": rev, "filename": name, "src": src}


vega_r = ("vega", rows("workspace", "a.json", "acc", [0, 1], [0.1, 1.0]), "a.json", {"x": "step", "y": "acc", "title": "Acc ✓"})
vega_r2 = ("vega", rows("workspace", "b.json", "loss", [0], [2.0]), "b.json", {"x": "step", "y": "loss"})
images = [
    ("image", [img("workspace", "plots/10.png", "$OUT_DIR/static/workspace_plots_10.png"), img("HEAD", "plots/10.png", "data:image;base64,AAAA")], "plots/10.png", {}),
    ("image", [img("workspace", "plots/2.png", "$OUT_DIR/static/workspace_plots_2.png")], "plots/2.png", {}),
    ("image", [img("workspace", "a/confusion.png", "relative/confusion.png")], "a/confusion.png", {}),
    ("image", [img("workspace", "z.svg", "$OUT_DIR/static/workspace_z.svg")], "z.svg", {}),
    ("image", [], "empty.png", {}),
]
html_case("default page: vega plots first, images by folder and step, scripts once", [images[0], vega_r, images[1], images[2], images[3], images[4], vega_r2])
html_case("custom template file with refresh", [vega_r, images[1]],
          template_text="<html>\r\n<head>{refresh_tag}{scripts}</head>\r\n<body>{plot_divs} and {plot_divs} {unknown}</body></html>\r\n", refresh=5)
html_case("template text without the plots placeholder", [vega_r], template="<html>{scripts}</html>")
html_case("an empty template string means the default page", [vega_r2], template="")
html_case("numbered and named images in one folder cannot be ordered", [
    ("image", [img("workspace", "p/1.png", "data:image;base64,AA")], "p/1.png", {}),
    ("image", [img("workspace", "p/x.png", "data:image;base64,AA")], "p/x.png", {}),
])

image_html = []
for kind, dps, rname, props in images:
    r = ImageRenderer(copy.deepcopy(unsub(dps)), rname)
    image_html.append({"datapoints": dps, "name": rname,
                       "withPath": sub(r.generate_html(html_path=OUT_DIR / "index.html")),
                       "withoutPath": sub(r.generate_html())})

fixture = {"about": __doc__, "templateFiles": TEMPLATE_FILES, "vega": CASES, "templates": templates, "helpers": helpers,
           "html": html_cases, "imageHtml": image_html}
# One entry a line: small enough to commit, and a change in dvc-render shows as a change to the entries it touches.
lines = []
for key, value in fixture.items():
    if isinstance(value, list):
        inner = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in value)
        lines.append(f"{json.dumps(key)}: [\n{inner}\n ]")
    elif isinstance(value, dict) and key != "about":
        inner = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items())
        lines.append(f"{json.dumps(key)}: {{\n{inner}\n }}")
    else:
        lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
sys.stdout.write("{\n " + ",\n ".join(lines) + "\n}\n")
