import { describe, expect, it } from "vitest";
import { formatListing, formatTree } from "./listingTable.js";
import type { ListedEntry } from "./listTracked.js";

const entry = (path: string, size: number | null, md5: string | null, isdir = false): ListedEntry => ({
  isout: md5 !== null,
  isdir,
  isexec: false,
  size,
  md5,
  path,
});

// The expected text is dvc 3.67.1's `dvc ls --size --show-hash` of the same entries.
describe("ls --size / --show-hash tables", () => {
  const entries = [
    entry(".gitignore", 26, null),
    entry("big.bin", 3000, "338acd2e13aeea8585566b2297e0d25f"),
    entry("data", 4096, "20ad46588e5628537eb822c2583dd63d.dir", true),
    entry("src", null, null, true),
  ];

  it("right-aligns sizes, leaves a directory without one blank and a missing hash as '-'", () => {
    expect(formatListing(entries, { size: true, hash: true })).toBe(
      [
        "   26  -                                     .gitignore",
        "2.93k  338acd2e13aeea8585566b2297e0d25f      big.bin",
        "4.00k  20ad46588e5628537eb822c2583dd63d.dir  data",
        "       -                                     src",
      ].join("\n"),
    );
    expect(formatListing(entries, { size: true })).toBe(
      "   26  .gitignore\n2.93k  big.bin\n4.00k  data\n       src",
    );
  });
});

describe("ls --tree", () => {
  it("draws each entry under its parent with dvc's box-drawing edges", () => {
    const entries = [
      entry(".", 4096, null, true),
      entry("data", 8, "d.dir", true),
      entry("data/a.txt", null, "a"),
      entry("data/sub", null, null, true),
      entry("data/sub/b.txt", null, "b"),
      entry("src", 32, null, true),
      entry("src/x.py", 6, null),
    ];
    expect(formatTree(entries, {})).toBe(
      [".", "├── data", "│   ├── a.txt", "│   └── sub", "│       └── b.txt", "└── src", "    └── x.py"].join(
        "\n",
      ),
    );
    expect(formatTree(entries.slice(0, 2), { size: true })).toBe("4.00k  .\n    8  └── data");
  });
});
