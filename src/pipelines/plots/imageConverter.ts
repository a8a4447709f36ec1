/**
 * dvc's `ImageConverter`: each image of a plot becomes one datapoint whose `src` is a copy written into the
 * output directory (`<rev>_<path with slashes as underscores>`), or a data URL when there is none.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { FILENAME_FIELD, REVISION_FIELD, type Datapoint, type PlotProps } from "./vegaConverter.js";

export const SRC_FIELD = "src";

export class ImageConverter {
  constructor(
    private readonly data: Record<string, unknown>,
    private readonly properties: PlotProps,
  ) {}

  flatDatapoints(revision: string): [Datapoint[], PlotProps] {
    const out = this.properties.out;
    const datapoints: Datapoint[] = [];
    for (const [filename, bytes] of Object.entries(this.data)) {
      if (!Buffer.isBuffer(bytes)) continue;
      let src: string;
      if (typeof out === "string" && out !== "") {
        const dir = resolve(out);
        mkdirSync(dir, { recursive: true });
        src = join(dir, `${revision}_${filename}`.replaceAll(sep, "_").replaceAll("/", "_"));
        writeFileSync(src, bytes);
      } else {
        src = `data:image;base64,${bytes.toString("base64")}`;
      }
      datapoints.push({ [REVISION_FIELD]: revision, [FILENAME_FIELD]: filename, [SRC_FIELD]: src });
    }
    return [datapoints, this.properties];
  }
}
