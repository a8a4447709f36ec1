import { describe, expect, it } from "vitest";
import { resolveServerConfig } from "../server/start.js";
import {
  assertModelVersionTagWritable,
  parseProtectedList,
  promotionProtection,
  validateProtectedStages,
} from "./promotionGuard.js";

describe("promotion protection settings", () => {
  it("protects the production alias and stage unless told otherwise", () => {
    expect(promotionProtection({})).toEqual({ aliases: ["production"], stages: ["Production"] });
  });

  it("reads comma lists where an empty string protects nothing", () => {
    expect(parseProtectedList(undefined)).toBeUndefined();
    expect(parseProtectedList("")).toEqual([]);
    expect(parseProtectedList(" prod , champion,, ")).toEqual(["prod", "champion"]);
  });

  it("matches aliases case-insensitively and stages in canonical spelling", () => {
    expect(promotionProtection({ protectedAliases: ["Prod"], protectedStages: ["staging"] })).toEqual({
      aliases: ["prod"],
      stages: ["Staging"],
    });
  });

  it("refuses a protected stage that is not a stage, naming where it came from", () => {
    expect(() => validateProtectedStages(["Prod"], "--protected-stages")).toThrow(
      "--protected-stages: 'Prod' is not a model version stage; expected one of None, Staging, Production, Archived.",
    );
  });

  it("fills the server config from flags first, then FLOWOPS_PROTECTED_* variables", () => {
    const env = {
      FLOWOPS_HOME: "/tmp/x",
      FLOWOPS_PROTECTED_ALIASES: "gold,prod",
      FLOWOPS_PROTECTED_STAGES: "",
    };
    expect(resolveServerConfig({}, env)).toMatchObject({
      protectedAliases: ["gold", "prod"],
      protectedStages: [],
    });
    expect(
      resolveServerConfig({ protectedAliases: "", protectedStages: "staging,production" }, env),
    ).toMatchObject({ protectedAliases: [], protectedStages: ["Staging", "Production"] });
    expect(resolveServerConfig({}, { FLOWOPS_HOME: "/tmp/x" })).toMatchObject({
      protectedAliases: ["production"],
      protectedStages: ["Production"],
    });
  });
});

describe("reserved gate tags", () => {
  it("refuses flowops.gate.* keys in any case and allows others", () => {
    expect(() => assertModelVersionTagWritable("flowops.gate.status")).toThrow(/is reserved/);
    expect(() => assertModelVersionTagWritable("FlowOps.Gate.at")).toThrow(/is reserved/);
    expect(() => assertModelVersionTagWritable("flowops.gates")).not.toThrow();
    expect(() => assertModelVersionTagWritable("owner")).not.toThrow();
  });
});
