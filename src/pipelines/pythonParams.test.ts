import { describe, expect, it } from "vitest";
import { parsePythonParams } from "./pythonParams.js";
import { PyFloat } from "./pythonValues.js";

const values = (text: string): Record<string, unknown> => parsePythonParams("params.py", text).values;

describe("parsePythonParams", () => {
  it("reads module-level literal assignments with Python's number kinds", () => {
    expect(
      values(
        "INT = 2\nF = 1.0\nE = 1e3\nHEX = 0x1F\nUND = 1_000\nNEG = -3\nB = True\nN = None\nS = \"a\" 'b'\nANN: float = 0.5\n",
      ),
    ).toEqual({
      INT: 2,
      F: new PyFloat(1),
      E: new PyFloat(1000),
      HEX: 31,
      UND: 1000,
      NEG: -3,
      B: true,
      N: null,
      S: "ab",
      ANN: 0.5,
    });
  });

  it("turns tuples into lists and keeps nested dicts and lists", () => {
    expect(
      values('T = (1, 2)\nBARE = 3, 4\nONE = (5,)\nD = {"a": [1, (2, 3)], "b": {"c": None},}\nE = {}\n'),
    ).toEqual({
      T: [1, 2],
      BARE: [3, 4],
      ONE: [5],
      D: { a: [1, [2, 3]], b: { c: null } },
      E: {},
    });
  });

  it("decodes string escapes, raw strings and triple-quoted strings", () => {
    expect(values('A = "a\\tb\\x41\\u00e9\\101\\q"\nR = r"a\\tb"\nL = """two\nlines"""\n')).toEqual({
      A: "a\tbAéA\\q",
      R: "a\\tb",
      L: "two\nlines",
    });
  });

  it("skips what DVC skips: expressions, calls, f-strings, several targets and unpacking", () => {
    expect(
      values('SUM = 1 + 2\nCALL = dict(a=1)\nF = f"{SUM}"\na = b = 3\nx, y = 1, 2\nobj.attr = 4\nKEEP = 1\n'),
    ).toEqual({ KEEP: 1 });
  });

  it("nests class attributes and merges self attributes assigned directly in __init__", () => {
    const text = `@dataclass
class TrainConfig(Base):
    """Doc."""
    EPOCHS = 723
    layers = 1
    class Inner:
        DEPTH = 3
    def method(self):
        self.hidden = 1
    def __init__(self, a: int = 1) -> None:
        self.layers = 11
        self.total = 1 + 2
        local = 3
        if a:
            self.conditional = 1
class Short: X = 1; Y = [1,
  2]
if True:
    HIDDEN = 1
`;
    expect(values(text)).toEqual({
      TrainConfig: { EPOCHS: 723, layers: 11, Inner: { DEPTH: 3 } },
      Short: { X: 1, Y: [1, 2] },
    });
  });

  it("lets a later assignment replace an earlier one, as a Python module does", () => {
    expect(values("A = 1\nB = 2\nA = 3\n")).toEqual({ A: 3, B: 2 });
  });

  it("notes sets, bytes, complex numbers and Ellipsis, which dvc.lock cannot record", () => {
    const parsed = parsePythonParams(
      "params.py",
      'S = {1, 2}\nB = b"x"\nC = 1 + 2j\nE = ...\nD = {"k": set()}\n',
    );
    expect(Object.fromEntries(parsed.unrecordable)).toEqual({
      S: { kind: "set", line: 1 },
      B: { kind: "bytes", line: 2 },
      C: { kind: "complex", line: 3 },
      E: { kind: "ellipsis", line: 4 },
      "D.k": { kind: "set", line: 5 },
    });
  });

  it("names the file and line of a token-level syntax error", () => {
    expect(() => parsePythonParams("p.py", 'A = 1\nB = "open\n')).toThrow(
      /p\.py:2: invalid Python: unterminated string/,
    );
    expect(() => parsePythonParams("p.py", "A = [1,\nB = 2\n")).toThrow(
      /p\.py:\d+: invalid Python: .*bracket/,
    );
    expect(() => parsePythonParams("p.py", "A = 1\n    B = 2\n")).toThrow(
      /p\.py:2: invalid Python: unexpected indent/,
    );
    expect(() => parsePythonParams("p.py", "class A:\nB = 1\n")).toThrow(
      /p\.py:1: invalid Python: expected an indented block/,
    );
  });
});
