import { describe, expect, it } from "vitest";
import { validateDvcConfig } from "./configSchema.js";

const refused = (sections: Record<string, Record<string, string>>): string => {
  try {
    validateDvcConfig(sections);
  } catch (error) {
    return (error as Error).message;
  }
  return "accepted";
};

describe("dvc's config schema", () => {
  it("accepts what dvc accepts", () => {
    expect(
      refused({
        core: { remote: "r", autostage: "True", checksum_jobs: "4", no_scm: "false" },
        cache: { type: "hardlink, symlink", dir: "../c", shared: "Group" },
        'remote "r"': { url: "/store", jobs: "2", type: "copy", verify: "true" },
        'remote "s"': { url: "s3://b/p", endpointurl: "http://m:9000", use_ssl: "false", read_timeout: "5" },
        'remote "h"': { url: "https://h/p", auth: "basic", connect_timeout: "1.5" },
        'remote "sub"': { url: "remote://s/sub", anything: "x" },
        feature: { unknown: "1" },
        parsing: { bool: "Store_True" },
        'db "d"': { url: "x" },
      }),
    ).toBe("accepted");
  });

  it("refuses with voluptuous's messages, naming the path", () => {
    // Each message observed from dvc 3.67.1 (`dvc config` / `dvc remote modify`).
    expect(refused({ foo: { bar: "1" } })).toBe("config file error: extra keys not allowed @ data['foo']");
    expect(refused({ core: { nope: "1" } })).toBe(
      "config file error: extra keys not allowed @ data['core']['nope']",
    );
    expect(refused({ core: { autostage: "maybe" } })).toBe(
      "config file error: expected true or false for dictionary value @ data['core']['autostage']",
    );
    expect(refused({ core: { checksum_jobs: "0" } })).toBe(
      "config file error: value must be at least 1 for dictionary value @ data['core']['checksum_jobs']",
    );
    expect(refused({ core: { checksum_jobs: "x" } })).toContain("expected int for dictionary value");
    expect(refused({ cache: { type: "foo" } })).toBe(
      "config file error: Unsupported cache type(s): foo for dictionary value @ data['cache']['type']",
    );
    expect(refused({ parsing: { bool: "nargs" } })).toBe(
      "config file error: expected one of store_true, boolean_optional for dictionary value @ data['parsing']['bool']",
    );
    expect(refused({ 'remote "r"': { jobs: "2" } })).toBe(
      "config file error: expected 'url' for dictionary value @ data['remote']['r']",
    );
    expect(refused({ 'remote "r"': { url: "/x", region: "eu" } })).toBe(
      "config file error: extra keys not allowed @ data['remote']['r']['region']",
    );
    expect(refused({ 'remote "f"': { url: "ftp://h/p" } })).toBe(
      "config file error: Unsupported URL type ftp:// for dictionary value @ data['remote']['f']",
    );
    expect(refused({ 'remote "s"': { url: "s3://b/p", read_timeout: "1.5" } })).toContain(
      "expected int for dictionary value @ data['remote']['s']['read_timeout']",
    );
    expect(refused({ 'remote "s"': { url: "s3://b/p", cache_regions: "true" } })).toContain("expected bool");
  });
});
