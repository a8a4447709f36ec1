/** The SQL engines FlowOps runs on. Shared code branches on capabilities derived from this, never on URIs. */
export type SqlDialectName = "sqlite" | "postgres";
