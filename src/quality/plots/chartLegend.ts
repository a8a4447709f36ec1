/**
 * A vertical legend of coloured swatches and labels, placed to the right of a plot. Labels are truncated to
 * the legend's width; the caller sizes the document from the returned height when there are many entries.
 */

import { charactersFitting, truncateLabel } from "./labelText.js";
import type { SvgDocument } from "./svgDocument.js";

export interface LegendEntry {
  readonly label: string;
  /** Kept whole after the (possibly truncated) label, e.g. " (AUC = 0.912)". */
  readonly suffix?: string;
  readonly colour: string;
  readonly dashed?: boolean;
}

export const LEGEND_ROW_HEIGHT = 18;
const FONT_SIZE = 11;
const SWATCH_WIDTH = 20;

/** Height the legend needs for `count` entries. */
export function legendHeight(count: number): number {
  return count * LEGEND_ROW_HEIGHT;
}

export function drawLegend(
  doc: SvgDocument,
  left: number,
  top: number,
  width: number,
  entries: readonly LegendEntry[],
): void {
  const textWidth = width - SWATCH_WIDTH - 6;
  entries.forEach((entry, index) => {
    const y = top + index * LEGEND_ROW_HEIGHT + LEGEND_ROW_HEIGHT / 2;
    doc.line(left, y, left + SWATCH_WIDTH, y, {
      stroke: entry.colour,
      "stroke-width": 2.5,
      "stroke-dasharray": entry.dashed === true ? "5 4" : undefined,
    });
    const suffix = entry.suffix ?? "";
    const room = Math.max(4, charactersFitting(textWidth, FONT_SIZE) - Array.from(suffix).length);
    doc.text(left + SWATCH_WIDTH + 6, y + 4, `${truncateLabel(entry.label, room)}${suffix}`, {
      "font-size": FONT_SIZE,
    });
  });
}
