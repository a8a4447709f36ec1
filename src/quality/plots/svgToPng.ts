/**
 * Renders plot SVG text to PNG with resvg. The native module is imported on first use, so commands that
 * never write plots do not load it at start-up; that is why this function is async.
 */

import { FlowOpsError } from "../../errors.js";

/** System fonts, DejaVu Sans first, matching the font-family every plot declares. */
const RENDER_OPTIONS = {
  font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  background: "#ffffff",
  fitTo: { mode: "original" },
  logLevel: "off",
} as const;

/** PNG bytes at the SVG's own width and height (one pixel per SVG unit). */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { renderAsync } = await import("@resvg/resvg-js");
  try {
    const image = await renderAsync(svg, RENDER_OPTIONS);
    return image.asPng();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `cannot render plot SVG to PNG: ${message}`, {
      cause: error,
    });
  }
}
