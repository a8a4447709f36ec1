/**
 * The pandas dtype a file's reader gives a column on the whole of a part, for a model without a signature: what
 * one batch's values alone cannot tell the Python worker. A part's object column whose batch holds only booleans
 * would otherwise become bool, a str column's batch of nulls only an object column of None, and a column
 * read_json makes datetime64 would stay text or integers.
 */

/** Resolution of a datetime64 column, as pandas names it. */
export type DatetimeUnit = "s" | "us" | "ns";

export type PandasColumnDtype =
  | { kind: "object" }
  | { kind: "str" }
  /**
   * datetime64[unit], or datetime64[unit, tz] for a fixed `utcOffsetMinutes` (0 is UTC); the cells are then ISO
   * 8601 text of the instants, naive (wall time) where the offset is null.
   */
  | { kind: "datetime"; unit: DatetimeUnit; utcOffsetMinutes: number | null };
