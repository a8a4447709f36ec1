/**
 * Colours of the evaluation plots: a categorical palette for one line or bar per class, and a sequential
 * white-to-blue ramp for heatmap shading. Pure functions, no state.
 */

/** Tableau 10: distinct and readable for the first ten classes. */
const CATEGORICAL = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
] as const;

export const AXIS_COLOUR = "#333333";
export const GRID_COLOUR = "#e5e5e5";
export const REFERENCE_LINE_COLOUR = "#888888";
export const MARK_COLOUR = CATEGORICAL[0];

/** Colour of series `index`; past the fixed palette, hues step by the golden angle so neighbours differ. */
export function seriesColour(index: number): string {
  const fixed = CATEGORICAL[index];
  if (fixed !== undefined) return fixed;
  const hue = ((index - CATEGORICAL.length) * 137.508 + 20) % 360;
  return hslToHex(hue, 0.55, 0.45);
}

const RAMP_LOW = [247, 251, 255] as const; // near white
const RAMP_HIGH = [8, 48, 107] as const; // dark blue

/** Heatmap fill for a share in [0, 1] (values outside are clamped, NaN is treated as 0). */
export function sequentialColour(share: number): string {
  const t = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
  const channel = (i: 0 | 1 | 2): number => Math.round(RAMP_LOW[i] + (RAMP_HIGH[i] - RAMP_LOW[i]) * t);
  return rgbToHex(channel(0), channel(1), channel(2));
}

/** Text colour that stays readable on a sequentialColour(share) background. */
export function textColourOnShare(share: number): string {
  return share > 0.5 ? "#ffffff" : "#1a1a1a";
}

function rgbToHex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

function hslToHex(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const sector = hue / 60;
  const x = chroma * (1 - Math.abs((sector % 2) - 1));
  const [r, g, b] =
    sector < 1
      ? [chroma, x, 0]
      : sector < 2
        ? [x, chroma, 0]
        : sector < 3
          ? [0, chroma, x]
          : sector < 4
            ? [0, x, chroma]
            : sector < 5
              ? [x, 0, chroma]
              : [chroma, 0, x];
  const m = lightness - chroma / 2;
  return rgbToHex(Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255));
}
