/**
 * dvc-render's ImageRenderer (dvc_render/image.py): one box per plot image, one image per revision. The
 * images themselves are written (or inlined as data URLs) by imageConverter.ts; here a written image's
 * absolute path becomes relative to the HTML page, so the page and its `static/` folder can move together.
 */
import { dirname, isAbsolute, relative } from "node:path";
import { pyStr } from "../pythonValues.js";
import { formatPlaceholders, pathlibSuffix, removeSpecialChars, type PlotRenderer } from "./plotRenderer.js";

/** A datapoint's field, or Python's KeyError for a missing one. */
function field(datapoint: Readonly<Record<string, unknown>>, key: string): unknown {
  if (!Object.hasOwn(datapoint, key)) throw new Error(`KeyError: '${key}'`);
  return datapoint[key];
}

export class ImageRenderer implements PlotRenderer {
  static readonly TYPE = "image";
  static readonly DIV = `
        <div
            id="{id}"
            style="border:1px solid black;text-align:center;
            white-space: nowrap;overflow-y:hidden;">
            {partial}
        </div>`;
  static readonly TITLE_FIELD = "rev";
  static readonly SRC_FIELD = "src";
  static readonly SCRIPTS = "";
  static readonly EXTENSIONS: ReadonlySet<string> = new Set([".jpg", ".jpeg", ".gif", ".png", ".svg"]);

  readonly TYPE = ImageRenderer.TYPE;
  readonly SCRIPTS = ImageRenderer.SCRIPTS;
  readonly properties: Record<string, unknown>;

  /** Datapoints are `{rev, filename, src}`, `src` an absolute path or a `data:image;base64,` URL. */
  constructor(
    readonly datapoints: Record<string, unknown>[] = [],
    readonly name = "",
    properties: Readonly<Record<string, unknown>> = {},
  ) {
    this.properties = { ...properties };
  }

  static matches(filename: string, _properties?: unknown): boolean {
    return ImageRenderer.EXTENSIONS.has(pathlibSuffix(filename));
  }

  partialHtml(htmlPath?: string): string {
    const divContent: string[] = [];
    for (const datapoint of this.datapoints) {
      let src = field(datapoint, ImageRenderer.SRC_FIELD);
      if (typeof src !== "string") throw new TypeError(`image src must be a string, not ${pyStr(src)}`);
      if (!src.startsWith("data:image;base64") && isAbsolute(src) && htmlPath) {
        // os.path.relpath answers "." where path.relative answers "".
        src = relative(dirname(htmlPath), src) || ".";
      }
      divContent.push(`
                <div
                    style="border:1px dotted black;margin:2px;display:
                    inline-block;
                    overflow:hidden;margin-left:8px;">
                    <p>${pyStr(field(datapoint, ImageRenderer.TITLE_FIELD))}</p>
                    <img src="${src}">
                </div>
                `);
    }
    if (divContent.length === 0) return "";
    return [`<p>${this.name}</p>`, ...divContent].join("\n");
  }

  /** base.py's `generate_html`, with this class's DIV. */
  generateHtml(htmlPath?: string): string {
    const partial = this.partialHtml(htmlPath);
    if (partial === "") return "";
    return formatPlaceholders(ImageRenderer.DIV, { id: removeSpecialChars(this.name), partial });
  }
}
