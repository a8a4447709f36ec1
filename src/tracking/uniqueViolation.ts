/**
 * Recognises a unique-constraint violation from either engine, so stores can translate it into MLflow's
 * RESOURCE_ALREADY_EXISTS instead of leaking a driver error as a 500.
 */

export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // PostgreSQL SQLSTATE 23505; better-sqlite3 extended result codes for UNIQUE and PRIMARY KEY.
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
