/**
 * dvc's `VegaConverter` (dvc/render/converter/vega.py): turns the parsed data files of one plot into flat
 * datapoints tagged with revision, file and field, and infers the x and y properties and labels the
 * template needs. Field and error wording are dvc's, since `plots show --json` prints them.
 */
import { isPlainObject } from "../pythonValues.js";

export const INDEX_FIELD = "step";
export const REVISION_FIELD = "rev";
export const FILENAME_FIELD = "filename";
export const FIELD_FIELD = "field";

/** Where plotData.ts puts a CSV row's extra cells: Python's DictReader uses None, which JSON writes as "null". */
export const CSV_REST_KEY = "null";

export type Datapoint = Record<string, unknown>;
export type PlotProps = Record<string, unknown>;

/** An exception dvc raises while converting; `type` is its Python class name for the JSON errors list. */
export class PlotConversionError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** `_lists`: every list in the blob, the blob itself when it is one, nested mappings searched depth first. */
function* lists(blob: unknown): Generator<unknown[]> {
  if (Array.isArray(blob)) {
    yield blob;
    return;
  }
  if (!isPlainObject(blob)) return;
  for (const value of Object.values(blob)) {
    if (isPlainObject(value)) yield* lists(value);
    else if (Array.isArray(value)) yield value;
  }
}

/** `_file_field`: (file, field) pairs of axis definitions like `{file: field}` or `{file: [fields]}`. */
function* fileFields(...axes: unknown[]): Generator<[string, string]> {
  for (const axis of axes) {
    if (!isPlainObject(axis)) continue;
    for (const [file, value] of Object.entries(axis)) {
      if (typeof value === "string") yield [file, value];
      else if (Array.isArray(value)) for (const field of value) yield [file, String(field)];
    }
  }
}

function isDatapoints(list: unknown[]): boolean {
  if (!list.every((item) => isPlainObject(item))) return false;
  if (list.length === 0) {
    // dvc calls `first(lst).keys()` on None here.
    throw new PlotConversionError("AttributeError", "'NoneType' object has no attribute 'keys'");
  }
  const firstKeys = new Set(Object.keys(list[0] as object));
  const allKeys = new Set(list.flatMap((item) => Object.keys(item as object)));
  return firstKeys.size === allKeys.size && [...allKeys].every((key) => firstKeys.has(key));
}

/** `get_datapoints`: rows of every list of uniform mappings in the file, merged by index. */
export function getDatapoints(content: unknown): Datapoint[] {
  const result: Datapoint[] = [];
  for (const list of lists(content)) {
    if (!isDatapoints(list)) continue;
    list.forEach((datapoint, index) => {
      if (result.length <= index) result.push({});
      Object.assign(result[index]!, datapoint);
    });
  }
  return result;
}

function verifyField(fileDatapoints: Map<string, Datapoint[]>, file: string, field: string): void {
  const datapoints = fileDatapoints.get(file);
  if (datapoints === undefined) return;
  const first = datapoints[0];
  if (first === undefined) {
    throw new PlotConversionError("TypeError", "argument of type 'NoneType' is not iterable");
  }
  if (!(field in first)) {
    throw new PlotConversionError(
      "FieldNotFoundError",
      `Could not find provided field ('${field}') in data fields ('${Object.keys(first).join(", ")}').`,
    );
  }
}

/** Python's `os.path.commonpath` of POSIX paths: the longest run of whole leading components they share. */
function commonPath(paths: string[]): string {
  const split = paths.map((path) => path.split("/"));
  const common: string[] = [];
  for (let i = 0; split.every((parts) => i < parts.length && parts[i] === split[0]![i]); i++)
    common.push(split[0]![i]!);
  return common.join("/");
}

function shortFile(file: string, prefixLength: number): string {
  return file.slice(prefixLength).replace(/^[/\\]+|[/\\]+$/g, "");
}

/** Converts the data of plot `plotId` (`data`: parsed file contents by path) under `properties`. */
export class VegaConverter {
  constructor(
    private readonly plotId: string,
    private readonly data: Record<string, unknown>,
    private readonly properties: PlotProps,
  ) {}

  private inferYFromData(): Record<string, string | null> | null {
    if (!(this.plotId in this.data)) return null;
    for (const list of lists(this.data[this.plotId])) {
      if (list.every((item) => isPlainObject(item))) {
        if (list.length === 0) {
          throw new PlotConversionError("AttributeError", "'NoneType' object has no attribute 'keys'");
        }
        const first = list[0] as Record<string, unknown>;
        const last = Object.keys(first).at(-1)!;
        // csv.DictReader's extra cells sit under the key None, which names no field.
        if (last === CSV_REST_KEY && Array.isArray(first[last])) return { [this.plotId]: null };
        return { [this.plotId]: last };
      }
    }
    return null;
  }

  private inferXY(): PlotProps {
    const x = this.properties.x;
    const y = this.properties.y;
    const inferred: PlotProps = {};
    if (typeof x === "string") {
      const xs: Record<string, unknown> = {};
      if (isPlainObject(y)) {
        for (const [file, fields] of Object.entries(y)) {
          xs[file] = Array.isArray(fields) ? fields.map(() => x) : x;
        }
      } else {
        xs[this.plotId] = x;
      }
      inferred.x = xs;
    }
    if (y === undefined || y === null) inferred.y = this.inferYFromData();
    else if (!isPlainObject(y)) inferred.y = { [this.plotId]: y };
    return inferred;
  }

  /** `convert`: datapoints per file and the properties with x, y and both labels filled in. */
  convert(): [Map<string, Datapoint[]>, PlotProps] {
    const inferred = this.inferXY();
    const fileDatapoints = new Map<string, Datapoint[]>();
    for (const [file, content] of Object.entries(this.data)) fileDatapoints.set(file, getDatapoints(content));
    const properties: PlotProps = { ...this.properties, ...inferred };
    properties.y_label = inferYLabel(properties);
    properties.x_label = inferXLabel(properties);
    return [fileDatapoints, properties];
  }

  /** `flat_datapoints`: every y series as datapoints of `revision`, and the properties to render them with. */
  flatDatapoints(revision: string): [Datapoint[], PlotProps] {
    const [fileDatapoints, properties] = this.convert();
    const update: PlotProps = {};
    const xs = [...fileFields(properties.x)];
    for (const [file, field] of xs) verifyField(fileDatapoints, file, field);
    let [xFile, xField]: [string | undefined, string] = xs.length === 0 ? [undefined, INDEX_FIELD] : xs[0]!;
    const multipleXFields = xs.length > 1 && new Set(xs.map(([, field]) => field)).size > 1;
    update.x = multipleXFields ? "dvc_inferred_x_value" : xField;

    const ys = [...fileFields(properties.y)];
    for (const [file, field] of ys) verifyField(fileDatapoints, file, field);
    if (xs.length > 1 && xs.length !== ys.length) {
      throw new PlotConversionError(
        "DvcException",
        `Cannot have different number of x and y data sources. Found ${xs.length} x and ${ys.length} y data sources.`,
      );
    }
    const yFiles = [...new Set(ys.map(([file]) => file))];
    const yFields = [...new Set(ys.map(([, field]) => field))];
    update.y = yFields.length > 1 ? "dvc_inferred_y_value" : (yFields[0] ?? null);
    const prefixLength = yFiles.length > 1 ? commonPath(yFiles).length : 0;
    update.anchors_y_definitions = ys.map(([file, field]) => ({
      [FILENAME_FIELD]: shortFile(file, prefixLength),
      [FIELD_FIELD]: field,
    }));

    const all: Datapoint[] = [];
    ys.forEach(([yFile, yField], i) => {
      if (xs.length > 1) [xFile, xField] = xs[i]!;
      const datapoints = (fileDatapoints.get(yFile) ?? []).map((d) => ({ ...d }));
      if (update.y === "dvc_inferred_y_value")
        copyField(datapoints, "dvc_inferred_y_value", datapoints, yField);
      if (xField === INDEX_FIELD && xFile === undefined) {
        datapoints.forEach((d, index) => (d[INDEX_FIELD] = index));
      } else {
        const source = fileDatapoints.get(xFile!) ?? [];
        if (source.length !== datapoints.length) {
          throw new PlotConversionError(
            "DvcException",
            `Cannot join '${xField}' from '${xFile}' and '${yField}' from '${yFile}'. They have to have same length.`,
          );
        }
        copyField(datapoints, multipleXFields ? "dvc_inferred_x_value" : xField, source, xField);
      }
      for (const d of datapoints) {
        d[REVISION_FIELD] = revision;
        d[FILENAME_FIELD] = shortFile(yFile, prefixLength);
        d[FIELD_FIELD] = yField;
      }
      all.push(...datapoints);
    });
    if (all.length === 0) return [[], {}];
    return [all, { ...properties, ...update }];
  }
}

function copyField(target: Datapoint[], field: string, source: Datapoint[], sourceField: string): void {
  target.forEach((datapoint, index) => {
    const from = source[index]!;
    if (sourceField in from) datapoint[field] = from[sourceField];
  });
}

function inferYLabel(properties: PlotProps): unknown {
  if (properties.y_label !== undefined && properties.y_label !== null) return properties.y_label;
  const y = properties.y;
  if (typeof y === "string") return y;
  if (Array.isArray(y)) return "y";
  if (!isPlainObject(y)) return null;
  const fields = new Set([...fileFields(y)].map(([, field]) => field));
  return fields.size === 1 ? [...fields][0] : "y";
}

function inferXLabel(properties: PlotProps): unknown {
  if (properties.x_label !== undefined && properties.x_label !== null) return properties.x_label;
  const x = properties.x;
  if (!isPlainObject(x)) return INDEX_FIELD;
  const fields = new Set([...fileFields(x)].map(([, field]) => field));
  return fields.size === 1 ? [...fields][0] : "x";
}
