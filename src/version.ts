/** Reported by `GET /version` and `flowops --version`; kept in step with package.json by a test. */
export const FLOWOPS_VERSION = "0.1.0";
