import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { exportSecurityOptions } from "../cli/server.js";
import {
  DEFAULT_ALLOWED_HOSTS,
  fnmatchRegExp,
  parseSwitch,
  pythonUrlHostname,
  securitySettingsFromEnv,
} from "./securityPolicy.js";

describe("mlflow's security settings", () => {
  it("defaults to get_default_allowed_hosts(), in mlflow's order", () => {
    expect(DEFAULT_ALLOWED_HOSTS.slice(0, 8)).toEqual([
      "localhost",
      "127.0.0.1",
      "[::1]",
      "0.0.0.0",
      "localhost:*",
      "127.0.0.1:*",
      "[[]::1]:*",
      "0.0.0.0:*",
    ]);
    expect(DEFAULT_ALLOWED_HOSTS).toContain("172.31.*");
    expect(DEFAULT_ALLOWED_HOSTS).not.toContain("172.32.*");
    expect(securitySettingsFromEnv({})).toEqual({
      disabled: false,
      allowedHosts: DEFAULT_ALLOWED_HOSTS,
      corsAllowedOrigins: [],
      frameOptions: "SAMEORIGIN",
    });
  });

  it("reads empty variables as unset and trims list entries", () => {
    expect(securitySettingsFromEnv({ MLFLOW_SERVER_ALLOWED_HOSTS: "" }).allowedHosts).toBe(
      DEFAULT_ALLOWED_HOSTS,
    );
    expect(
      securitySettingsFromEnv({ MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: " a , b" }).corsAllowedOrigins,
    ).toEqual(["a", "b"]);
    // The middleware itself only takes "true"; the CLI turns click's other yes values into it.
    expect(securitySettingsFromEnv({ MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE: "1" }).disabled).toBe(false);
  });

  it("matches as Python's fnmatch does", () => {
    expect(fnmatchRegExp("[[]::1]:*").test("[::1]:5000")).toBe(true);
    expect(fnmatchRegExp("10.*").test("10.0.0.1:80")).toBe(true);
    expect(fnmatchRegExp("10.*").test("100.0.0.1")).toBe(false);
    expect(fnmatchRegExp("a?c[!x]*").test("abcd")).toBe(true);
    expect(fnmatchRegExp("a?c[!x]*").test("abcx")).toBe(false);
    expect(fnmatchRegExp("a[b*").test("a[bzz")).toBe(true);
  });

  it("finds an origin's host as urllib.parse does", () => {
    expect(pythonUrlHostname("http://LOCALHOST:3000")).toBe("localhost");
    expect(pythonUrlHostname("http://[::1]:3000")).toBe("::1");
    expect(pythonUrlHostname("https://user@127.0.0.1")).toBe("127.0.0.1");
    expect(pythonUrlHostname("localhost:3000")).toBeUndefined();
    expect(pythonUrlHostname("null")).toBeUndefined();
    expect(pythonUrlHostname("http://[::1")).toBeUndefined();
  });
});

describe("flowops server's security options", () => {
  it("reads the disabling variable as click does, and refuses what click refuses", () => {
    for (const yes of ["1", "true", "YES", "on"]) expect(parseSwitch("X", yes)).toBe(true);
    for (const no of [undefined, "", "0", "false", "off"]) expect(parseSwitch("X", no)).toBe(false);
    expect(() => parseSwitch("X", "garbage")).toThrow(FlowOpsError);
  });

  it("exports the options as mlflow's variables, as `mlflow server` does", () => {
    const env: NodeJS.ProcessEnv = {};
    exportSecurityOptions(
      { allowedHosts: "a.com", corsAllowedOrigins: "https://b.com", xFrameOptions: "DENY" },
      env,
    );
    expect(env).toEqual({
      MLFLOW_SERVER_ALLOWED_HOSTS: "a.com",
      MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: "https://b.com",
      MLFLOW_SERVER_X_FRAME_OPTIONS: "DENY",
    });
    const fromEnv: NodeJS.ProcessEnv = {
      MLFLOW_SERVER_X_FRAME_OPTIONS: "",
      MLFLOW_SERVER_ALLOWED_HOSTS: "c.com",
    };
    exportSecurityOptions({}, fromEnv);
    expect(fromEnv).toEqual({
      MLFLOW_SERVER_X_FRAME_OPTIONS: "SAMEORIGIN",
      MLFLOW_SERVER_ALLOWED_HOSTS: "c.com",
    });
  });

  it("turns the middleware off, and nothing else, with the flag or a yes in the variable", () => {
    const flagged: NodeJS.ProcessEnv = {};
    exportSecurityOptions({ disableSecurityMiddleware: true, allowedHosts: "a.com" }, flagged);
    expect(flagged).toEqual({ MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE: "true" });
    const variable: NodeJS.ProcessEnv = { MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE: "1" };
    exportSecurityOptions({}, variable);
    expect(variable.MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE).toBe("true");
  });
});
