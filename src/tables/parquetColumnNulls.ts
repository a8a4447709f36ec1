/**
 * Whether a flat Parquet column holds a null anywhere in its file, from the footer alone: a REQUIRED column
 * cannot, and an OPTIONAL one does when a row group's statistics count one. pandas.read_parquet types an
 * integer column float64, and a boolean one object, when the file holds a null in it, while the reader here
 * hands out the file in parts, each of which would decide on its own rows (parquetNumpyColumn.ts and
 * pandasReadCells.ts read the answer).
 *
 * Statistics are optional in Parquet. Where a row group's lack a null count and none of the others counts a
 * null, the answer is "unknown": the parts then decide on their own rows, which is read_parquet's answer for a
 * file without nulls and for one whose nulls are in every part, and reading the whole column ahead only for
 * this would cost as much as the prediction's read.
 */
import type { FileMetaData, SchemaElement } from "hyparquet";

/** True or false as the footer tells it; undefined where statistics are missing and count no null. */
export function columnNullsInFile(metadata: FileMetaData, field: SchemaElement): boolean | undefined {
  if (field.repetition_type === "REQUIRED") return false;
  let known = true;
  for (const group of metadata.row_groups) {
    const chunk = group.columns.find(
      (column) =>
        column.meta_data?.path_in_schema.length === 1 && column.meta_data.path_in_schema[0] === field.name,
    );
    const count = chunk?.meta_data?.statistics?.null_count;
    if (count === undefined) known = false;
    else if (BigInt(count) > 0n) return true;
  }
  return known ? false : undefined;
}
