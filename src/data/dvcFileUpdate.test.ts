import { describe, expect, it } from "vitest";
import { updateDvcFileText } from "./dvcFileUpdate.js";

const OLD_MD5 = "60b725f10c9c85c70d97880dfe8191b3";
const NEW_MD5 = "3b5d5c3712955042212316173ccf37be";

// Expected texts are what dvc 3.67.1's `dvc add` wrote over the same files (tests/compat covers it live).
describe("updateDvcFileText", () => {
  it("keeps comments at their columns, drops needless quotes and keeps flow style", () => {
    const old = [
      "# the foo dataset",
      "outs:   # outputs",
      `- md5: "${OLD_MD5}"  # old hash`,
      "  size: 2",
      "  hash: md5",
      "  path: foo",
      "  desc: 'a file'   # description",
      "  meta: {owner: me, tags: [x, y]}",
      "",
    ].join("\n");
    const state = {
      outs: [
        {
          md5: NEW_MD5,
          size: 2,
          hash: "md5",
          path: "foo",
          desc: "a file",
          meta: { owner: "me", tags: ["x", "y"] },
        },
      ],
    };
    expect(updateDvcFileText(old, state)).toBe(
      [
        "# the foo dataset",
        "outs:   # outputs",
        `- md5: ${NEW_MD5}    # old hash`,
        "  size: 2",
        "  hash: md5",
        "  path: foo",
        "  desc: a file     # description",
        "  meta: {owner: me, tags: [x, y]}",
        "",
      ].join("\n"),
    );
  });

  it("appends new keys after the old ones and un-indents sequences", () => {
    const old = `outs:\n  - md5: ${OLD_MD5}\n    size: 2\n    path: foo\n`;
    const state = { outs: [{ md5: NEW_MD5, size: 2, hash: "md5", path: "foo" }] };
    expect(updateDvcFileText(old, state)).toBe(
      `outs:\n- md5: ${NEW_MD5}\n  size: 2\n  path: foo\n  hash: md5\n`,
    );
  });

  it("updates a flow-style file in flow style", () => {
    const old = `outs: [{md5: ${OLD_MD5}, size: 2, hash: md5, path: foo}]\n`;
    const state = { outs: [{ md5: NEW_MD5, size: 3, hash: "md5", path: "foo" }] };
    expect(updateDvcFileText(old, state)).toBe(`outs: [{md5: ${NEW_MD5}, size: 3, hash: md5, path: foo}]\n`);
  });

  it("puts a comment one space after a value that grew past it, and adds no blank line before the last one", () => {
    const old = [
      "outs:   # outputs",
      "- md5: x # c1",
      "  size: 2  # c2",
      "  # own line",
      "  path: d",
      "# end",
      "",
    ];
    const state = { outs: [{ md5: `${NEW_MD5}.dir`, size: 4, path: "d" }] };
    expect(updateDvcFileText(old.join("\n"), state)).toBe(
      [
        "outs:   # outputs",
        `- md5: ${NEW_MD5}.dir # c1`,
        "  size: 4  # c2",
        "  # own line",
        "  path: d",
        "# end",
        "",
      ].join("\n"),
    );
  });

  it("drops keys the new state lacks and replaces a list whose length changed", () => {
    const old = `outs:\n- md5: ${OLD_MD5}\n  size: 2\n  isexec: true  # was executable\n  path: foo\n`;
    const state = {
      outs: [
        { md5: NEW_MD5, size: 2, path: "foo" },
        { md5: OLD_MD5, size: 1, path: "bar" },
      ],
    };
    expect(updateDvcFileText(old, state)).toBe(
      `outs:\n- md5: ${NEW_MD5}\n  size: 2\n  path: foo\n- md5: ${OLD_MD5}\n  size: 1\n  path: bar\n`,
    );
    const single = { outs: [{ md5: NEW_MD5, size: 2, path: "foo" }] };
    expect(updateDvcFileText(old, single)).toBe(`outs:\n- md5: ${NEW_MD5}\n  size: 2\n  path: foo\n`);
  });

  it("keeps the quotes a string needs and does not take a quoted # for a comment", () => {
    const old = `outs:\n- md5: ${OLD_MD5}\n  path: "a #b"   # real\n  desc: "123"\n`;
    const state = { outs: [{ md5: NEW_MD5, path: "a #b", desc: "123" }] };
    expect(updateDvcFileText(old, state)).toBe(
      `outs:\n- md5: ${NEW_MD5}\n  path: 'a #b'   # real\n  desc: '123'\n`,
    );
  });

  it("writes strings YAML 1.1 reads as something else quoted, as ruamel does, old and new alike", () => {
    const old = `outs:\n- md5: ${OLD_MD5}\n  size: 2\n  hash: md5\n  path: '2024-01-01'\n`;
    const state = {
      outs: [{ md5: NEW_MD5, size: 4, hash: "md5", path: "2024-01-01", desc: "=", remote: "a\tb" }],
    };
    expect(updateDvcFileText(old, state)).toBe(
      `outs:\n- md5: ${NEW_MD5}\n  size: 4\n  hash: md5\n  path: '2024-01-01'\n  desc: '='\n  remote: "a\\tb"\n`,
    );
  });

  it("dumps the state afresh when the old text is not a mapping", () => {
    const state = { outs: [{ md5: NEW_MD5, path: "foo" }] };
    expect(updateDvcFileText("- a\n- b\n", state)).toBe(`outs:\n- md5: ${NEW_MD5}\n  path: foo\n`);
  });
});
