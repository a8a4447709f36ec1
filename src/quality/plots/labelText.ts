/**
 * Fitting label text into chart space: truncation by code points (never splitting a surrogate pair) and a
 * width estimate for DejaVu Sans, so layout needs no font metrics at SVG-building time.
 */

/** Average advance of DejaVu Sans glyphs as a share of the font size (it is a wide face). */
const AVERAGE_CHARACTER_WIDTH = 0.62;

export function estimateTextWidth(text: string, fontSize: number): number {
  return Array.from(text).length * fontSize * AVERAGE_CHARACTER_WIDTH;
}

/** Characters of `fontSize` text that fit in `width` pixels (at least 1). */
export function charactersFitting(width: number, fontSize: number): number {
  return Math.max(1, Math.floor(width / (fontSize * AVERAGE_CHARACTER_WIDTH)));
}

/** Shortens a label to `maxCharacters`, ending with an ellipsis when anything was cut. */
export function truncateLabel(label: string, maxCharacters: number): string {
  const characters = Array.from(label);
  if (characters.length <= maxCharacters) return label;
  if (maxCharacters <= 1) return "…";
  return `${characters.slice(0, maxCharacters - 1).join("")}…`;
}
