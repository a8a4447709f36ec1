import { describe, expect, it } from "vitest";
import { dumpRuamelYaml } from "./ruamelYaml.js";
import { PyFloat } from "./pythonValues.js";

// Expected texts were produced by dvc's own writer (dvc.utils.serialize.dumps_yaml, ruamel.yaml) in dvc 3.67.1.
describe("dumpRuamelYaml", () => {
  it("wraps a long plain command at 80 columns leaving ruamel's trailing space", () => {
    expect(
      dumpRuamelYaml({
        cmd: "python train.py --data data/prepared --model-dir models/checkpoints --epochs 100 --batch-size 64 --seed 42",
      }),
    ).toBe(
      "cmd: python train.py --data data/prepared --model-dir models/checkpoints \n  --epochs 100 --batch-size 64 --seed 42\n",
    );
  });

  it("quotes strings that would read back as another type or start with an indicator", () => {
    expect(
      dumpRuamelYaml({
        cmd: [
          "echo 'single' && echo \"double\"",
          "printf 'a: b'",
          "yes",
          "0755",
          "1e3",
          "",
          "2020-01-01",
          "~",
          "- dash",
          "#comment",
          "x #y",
          "trailing ",
        ],
      }),
    ).toBe(
      "cmd:\n- echo 'single' && echo \"double\"\n- \"printf 'a: b'\"\n- yes\n- '0755'\n- '1e3'\n- ''\n- '2020-01-01'\n- '~'\n- '- dash'\n- '#comment'\n- 'x #y'\n- 'trailing '\n",
    );
  });

  it("quotes ints and floats with underscores, signs and prefixes, but leaves _1 and .5e3 plain", () => {
    expect(dumpRuamelYaml({ cmd: ["1_000", "_1", "0b1", ".5e3", "-0x1F", "1_0e3", "0x_"] })).toBe(
      "cmd:\n- '1_000'\n- _1\n- '0b1'\n- .5e3\n- '-0x1F'\n- '1_0e3'\n- '0x_'\n",
    );
  });

  it("moves a word longer than the line to its own line", () => {
    expect(
      dumpRuamelYaml({
        deps: [
          {
            path: "data/a/very/long/directory/name/that/goes/on/and/on/and/on/for/ever/and/ever/file.csv",
            hash: "md5",
            md5: "acbd18db4cc2f85cedef654fccc4a4d8",
            size: 3,
          },
        ],
      }),
    ).toBe(
      "deps:\n- path: \n    data/a/very/long/directory/name/that/goes/on/and/on/and/on/for/ever/and/ever/file.csv\n  hash: md5\n  md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n",
    );
  });

  it("writes unicode plainly, escapes control characters, and prints null, empty collections and floats as ruamel does", () => {
    expect(
      dumpRuamelYaml({
        params: {
          "params.yaml": {
            text: "ünïcödé and emoji 😀",
            tab: "a\tb",
            nl: "line1\nline2",
            none: null,
            empty_list: [],
            empty_map: {},
            inf: Infinity,
            big: new PyFloat(1e16),
            neg: -0.5,
          },
        },
      }),
    ).toBe(
      'params:\n  params.yaml:\n    text: ünïcödé and emoji 😀\n    tab: "a\\tb"\n    nl: "line1\\nline2"\n    none:\n    empty_list: []\n    empty_map: {}\n    inf: .inf\n    big: 1e+16\n    neg: -0.5\n',
    );
  });
});
