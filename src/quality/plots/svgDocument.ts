/**
 * A small SVG text builder for the evaluation plots: elements are appended as escaped strings and the
 * document is serialised once. It knows nothing about charts; axes, legends and marks are built on top.
 */

export type SvgAttributeValue = string | number | undefined;
export type SvgAttributes = Readonly<Record<string, SvgAttributeValue>>;

/** The font stack every plot uses; svgToPng loads system fonts with DejaVu Sans as the default family. */
export const PLOT_FONT_FAMILY = "DejaVu Sans, sans-serif";

// Characters XML 1.0 does not allow at all (C0 controls other than tab/newline/CR, lone surrogates,
// U+FFFE/U+FFFF): label names come from user data, so they are replaced rather than emitted.
const INVALID_XML_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const XML_ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(INVALID_XML_CHARACTERS, "\uFFFD").replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

/** Coordinates with two decimals at most: enough for screen output, and it keeps long paths small. */
export function formatCoordinate(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

function formatAttributes(attributes: SvgAttributes): string {
  let text = "";
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const formatted = typeof value === "number" ? formatCoordinate(value) : escapeXml(value);
    text += ` ${name}="${formatted}"`;
  }
  return text;
}

/** One element as text; `content` is escaped, `children` is markup already built by this module. */
export function svgElement(
  name: string,
  attributes: SvgAttributes,
  inner?: { content?: string; children?: string },
): string {
  const body = inner?.children ?? (inner?.content === undefined ? undefined : escapeXml(inner.content));
  return body === undefined
    ? `<${name}${formatAttributes(attributes)}/>`
    : `<${name}${formatAttributes(attributes)}>${body}</${name}>`;
}

/** `points` attribute text for a polyline or polygon. */
export function formatPoints(xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  const parts: string[] = new Array<string>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    parts[i] = `${formatCoordinate(xs[i] ?? 0)},${formatCoordinate(ys[i] ?? 0)}`;
  }
  return parts.join(" ");
}

export class SvgDocument {
  private readonly parts: string[] = [];
  /** Whole pixels, so the PNG rendered at one pixel per unit has exactly this size. */
  readonly width: number;
  readonly height: number;

  constructor(
    width: number,
    height: number,
    private readonly title: string,
  ) {
    this.width = Math.ceil(width);
    this.height = Math.ceil(height);
  }

  /** Appends markup built with svgElement (or by another SvgDocument method). */
  add(markup: string): this {
    this.parts.push(markup);
    return this;
  }

  rect(attributes: SvgAttributes, tooltip?: string): this {
    const children = tooltip === undefined ? undefined : svgElement("title", {}, { content: tooltip });
    return this.add(svgElement("rect", attributes, children === undefined ? undefined : { children }));
  }

  line(x1: number, y1: number, x2: number, y2: number, attributes: SvgAttributes = {}): this {
    return this.add(svgElement("line", { x1, y1, x2, y2, ...attributes }));
  }

  polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, attributes: SvgAttributes = {}): this {
    return this.add(svgElement("polyline", { points: formatPoints(xs, ys), fill: "none", ...attributes }));
  }

  text(x: number, y: number, content: string, attributes: SvgAttributes = {}): this {
    return this.add(svgElement("text", { x, y, ...attributes }, { content }));
  }

  toString(): string {
    const header =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${formatCoordinate(this.width)}" ` +
      `height="${formatCoordinate(this.height)}" viewBox="0 0 ${formatCoordinate(this.width)} ` +
      `${formatCoordinate(this.height)}" font-family="${escapeXml(PLOT_FONT_FAMILY)}" font-size="12">`;
    const background = svgElement("rect", {
      x: 0,
      y: 0,
      width: this.width,
      height: this.height,
      fill: "#ffffff",
    });
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      header,
      svgElement("title", {}, { content: this.title }),
      background,
      ...this.parts,
      "</svg>",
      "",
    ].join("\n");
  }
}
