import { describe, expect, it } from "vitest";
import { escapeXml, formatCoordinate, SvgDocument, svgElement } from "./svgDocument.js";

describe("escapeXml", () => {
  it("escapes the five XML special characters", () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;",
    );
  });

  it("replaces characters XML does not allow, such as control characters and lone surrogates", () => {
    expect(escapeXml("a\u0001b\u001Fc\uD800d")).toBe("a\uFFFDb\uFFFDc\uFFFDd");
  });

  it("keeps tabs, newlines, accents and surrogate pairs", () => {
    expect(escapeXml("é\t\n😀")).toBe("é\t\n😀");
  });
});

describe("svgElement", () => {
  it("escapes attribute values and text content and leaves undefined attributes out", () => {
    expect(svgElement("text", { x: 1.006, fill: 'a"b', stroke: undefined }, { content: "1 < 2" })).toBe(
      '<text x="1.01" fill="a&quot;b">1 &lt; 2</text>',
    );
  });

  it("self-closes an element without content", () => {
    expect(svgElement("rect", { width: 3 })).toBe('<rect width="3"/>');
  });
});

describe("formatCoordinate", () => {
  it("rounds to two decimals and never writes negative zero", () => {
    expect(formatCoordinate(12.3456)).toBe("12.35");
    expect(formatCoordinate(-0.001)).toBe("0");
    expect(formatCoordinate(40)).toBe("40");
  });
});

describe("SvgDocument", () => {
  it("serialises a sized document with an escaped title and the plot font", () => {
    const text = new SvgDocument(200, 100, "a & b").line(0, 0, 10, 10).toString();
    expect(text).toContain('width="200" height="100" viewBox="0 0 200 100"');
    expect(text).toContain("<title>a &amp; b</title>");
    expect(text).toContain('font-family="DejaVu Sans, sans-serif"');
    expect(text).toContain('<line x1="0" y1="0" x2="10" y2="10"/>');
    expect(text.trimEnd().endsWith("</svg>")).toBe(true);
  });
});
