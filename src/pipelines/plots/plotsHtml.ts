/**
 * dvc-render's `render_html` (dvc_render/html.py): the page `plots show` and `plots diff` write, from dvc's
 * template or the user's (`--html-template`, `plots.html_template`), with each renderer type's scripts once
 * and the plots in dvc's order: data plots first, then images by folder and step number.
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { compareCodePoints } from "../../data/dirManifest.js";
import { FlowOpsError, systemErrorCode } from "../../errors.js";
import { writeFileAtomic } from "../../writeFileAtomic.js";
import { pyStr } from "../pythonValues.js";
import { ImageRenderer } from "./imageRenderer.js";
import type { PlotRenderer } from "./plotRenderer.js";

export const PAGE_HTML = `<!DOCTYPE html>
<html>
<head>
    {refresh_tag}
    <title>DVC Plot</title>
    {scripts}
    <style>
        table {
            border-spacing: 15px;
        }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>`;

const SCRIPTS_PLACEHOLDER = "scripts";
const PLOTS_PLACEHOLDER = "plot_divs";
const REFRESH_PLACEHOLDER = "refresh_tag";

/** dvc-render's `HTML`: a page template that collects scripts and plot elements, then fills its placeholders. */
export class HtmlPage {
  private readonly template: string;
  private readonly elements: string[] = [];
  private scripts = "";
  private readonly refreshTag: string;

  constructor(template?: string | null, refreshSeconds?: number | null) {
    this.template = template || PAGE_HTML;
    if (!this.template.includes(`{${PLOTS_PLACEHOLDER}}`)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `HTML template has to contain '{${PLOTS_PLACEHOLDER}}'.`,
      );
    }
    this.refreshTag =
      refreshSeconds === undefined || refreshSeconds === null
        ? ""
        : `<meta http-equiv="refresh" content="${pyStr(refreshSeconds)}">`;
  }

  /** Adds `scripts` unless the page has them already (an empty string always "has" them). */
  withScripts(scripts: string): this {
    if (!this.scripts.includes(scripts)) this.scripts += `\n${scripts}`;
    return this;
  }

  withElement(html: string): this {
    this.elements.push(html);
    return this;
  }

  /** Each placeholder replaced in turn, as Python's successive `str.replace` calls do. */
  embed(): string {
    const values: [string, string][] = [
      [SCRIPTS_PLACEHOLDER, this.scripts],
      [PLOTS_PLACEHOLDER, this.elements.join("\n")],
      [REFRESH_PLACEHOLDER, this.refreshTag],
    ];
    let page = this.template;
    for (const [placeholder, value] of values) page = page.replaceAll(`{${placeholder}}`, () => value);
    return page;
  }
}

/** `os.path.dirname` (POSIX): trailing slashes dropped unless the head is only slashes. */
function pyDirname(path: string): string {
  const head = path.slice(0, path.lastIndexOf("/") + 1);
  return head !== "" && !/^\/+$/.test(head) ? head.replace(/\/+$/, "") : head;
}

/** `os.path.splitext(name)[0]` of a base name: a name of leading dots alone has no extension. */
function stem(basename: string): string {
  const dot = basename.lastIndexOf(".");
  if (dot <= 0 || /^\.+$/.test(basename.slice(0, dot))) return basename;
  return basename.slice(0, dot);
}

interface ImageOrder {
  dir: string;
  /** The file's step when its name is a number (`3.png`), compared as a number. */
  step: bigint | null;
  basename: string;
}

/** `_order_image_per_step`'s key; undefined for renderers that are not images, which sort first. */
function imageOrder(renderer: PlotRenderer): ImageOrder | undefined {
  if (!(renderer instanceof ImageRenderer)) return undefined;
  const basename = renderer.name.slice(renderer.name.lastIndexOf("/") + 1);
  const name = stem(basename);
  return { dir: pyDirname(renderer.name), step: /^[0-9]+$/.test(name) ? BigInt(name) : null, basename };
}

/** Python's tuple comparison of two keys, which cannot order a numbered image against a named one. */
function compareOrder(a: ImageOrder | undefined, b: ImageOrder | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  if (a.dir !== b.dir) return compareCodePoints(a.dir, b.dir);
  if (a.step !== b.step) {
    if (a.step === null || b.step === null) {
      const typeName = (step: bigint | null): string => (step === null ? "NoneType" : "int");
      throw new TypeError(
        `'<' not supported between instances of '${typeName(a.step)}' and '${typeName(b.step)}'`,
      );
    }
    return a.step < b.step ? -1 : 1;
  }
  return compareCodePoints(a.basename, b.basename);
}

/** `Path.parent.mkdir(exist_ok=True)`: the parent only, not its own parents. */
async function makeParentDir(path: string): Promise<void> {
  const parent = dirname(path);
  try {
    await mkdir(parent);
  } catch (error) {
    if (systemErrorCode(error) !== "EEXIST" || !(await stat(parent)).isDirectory()) throw error;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Writes the page for `renderers` to `outputFile` and returns `outputFile`. `htmlTemplate` names a template
 * file; as in dvc-render, a value that is not a file is taken as the template text itself (so a missing file
 * reports the missing `{plot_divs}`).
 */
export async function renderHtml(
  renderers: readonly PlotRenderer[],
  outputFile: string,
  htmlTemplate?: string | null,
  refreshSeconds?: number | null,
): Promise<string> {
  await makeParentDir(outputFile);

  let pageHtml: string | null = null;
  if (htmlTemplate && (await isFile(htmlTemplate))) {
    // read_text decodes with universal newlines.
    pageHtml = (await readFile(htmlTemplate, "utf8")).replace(/\r\n?/g, "\n");
  } else if (typeof htmlTemplate === "string") {
    pageHtml = htmlTemplate;
  }
  const page = new HtmlPage(pageHtml, refreshSeconds);

  // Array.prototype.sort is stable, as Python's sorted is.
  const keyed = renderers.map((renderer) => ({ renderer, order: imageOrder(renderer) }));
  keyed.sort((a, b) => compareOrder(a.order, b.order));
  for (const { renderer } of keyed) {
    page.withScripts(renderer.SCRIPTS);
    page.withElement(renderer.generateHtml(outputFile));
  }

  await writeFileAtomic(outputFile, page.embed());
  return outputFile;
}
