"""`flowops data import-url|update` beside `dvc import-url|update` on twin repositories: the same .dvc and
.gitignore bytes and workspace files after each step, the same output, messages and exit codes, and each tool's
`status` and `update` content with the other's imports.

The sources live outside both repositories, in one `src/` directory at the same absolute path, so the recorded
dep paths (and with them the stage md5s) are byte-comparable; a source inside the repository is recorded
relative to its .dvc file. Steps run on both twins one after the other, so a change to the shared source is seen
by both tools alike."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Workspace, error_lines, workspace_files

UP_TO_DATE = "Data and pipelines are up to date.\n"
FROZEN = "WARNING: stage: '{}' is frozen. Its dependencies are not going to be shown in the status output."


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "dir").mkdir(parents=True)
    (src / "a.txt").write_text("a\n")
    (src / "dir" / "x").write_text("x\n")
    (src / "dir" / "y").write_text("y\n")
    return src


def _normal(text: str, ws: Workspace, src: Path) -> list[str]:
    """Output lines with the tool-specific wording made dvc's, paths shortened, and set-ordered lines sorted:
    dvc lists the files to `git add` and updates its imports in the order of a Python set."""
    text = text.replace("flowops data config core.autostage", "dvc config core.autostage")
    text = text.replace("Use `flowops data push`", "Use `dvc push`")
    text = re.sub(r"\tgit add (.*)\n", lambda m: "\tgit add " + " ".join(sorted(m.group(1).split())) + "\n", text)
    text = text.replace(str(ws.root), "WS").replace(str(src), "SRC")
    lines = text.splitlines()
    if all(line.startswith(("Importing '", "'")) for line in lines):
        lines.sort()
    return lines


class Twins:
    """A dvc-driven and a flowops-driven workspace; `step` runs one command on each and checks they match."""

    def __init__(self, make_ws, src: Path) -> None:
        self.src = src
        self.dvc: Workspace = make_ws("dvc")
        self.fo: Workspace = make_ws("flowops")

    def each(self, fn) -> None:
        fn(self.dvc)
        fn(self.fo)

    def run(self, ws: Workspace, args: tuple[str, ...]):
        return ws.dvc(*args, check=False) if ws is self.dvc else ws.flowops("data", *args, check=False)

    def outcome(self, ws: Workspace, args: tuple[str, ...]):
        result = self.run(ws, args)
        stderr = error_lines(result.stderr).replace(str(ws.root), "WS").replace(str(self.src), "SRC")
        return result.returncode, _normal(result.stdout, ws, self.src), stderr

    def step(self, *args: str) -> tuple[int, list[str], str]:
        theirs = self.outcome(self.dvc, args)
        mine = self.outcome(self.fo, args)
        assert mine == theirs, args
        assert workspace_files(self.fo) == workspace_files(self.dvc), args
        return theirs

    def status(self) -> dict:
        """Both tools' `status --json` on both twins, all equal; and their plain `status` alike, stage blocks
        and frozen warnings sorted (dvc walks its stages in set order)."""
        seen, text = [], []
        for ws in (self.dvc, self.fo):
            seen += [ws.dvc("status", "--json").json(), ws.flowops("data", "status", "--json").json()]
            for result in (ws.dvc("status"), ws.flowops("data", "status")):
                blocks = re.split(r"\n(?=\S)", result.stdout)
                text.append((sorted(blocks), sorted(result.stderr.splitlines())))
        assert all(entry == seen[0] for entry in seen), seen
        assert all(entry == text[0] for entry in text), text
        return seen[0]


def test_import_url_matches_dvc(make_ws, tmp_path):
    src = _source(tmp_path)
    twins = Twins(make_ws, src)

    def prepare(ws: Workspace) -> None:
        (ws.root / "sub").mkdir()
        ws.write("raw/r.txt", "r\n")

    twins.each(prepare)
    a, d = str(src / "a.txt"), str(src / "dir")
    reminder = ["", "To track the changes with git, run:", "", "\tgit add .gitignore a.txt.dvc", "",
                "To enable auto staging, run:", "", "\tdvc config core.autostage true"]
    assert twins.step("import-url", a) == (0, ["Importing 'SRC/a.txt' -> 'a.txt'", *reminder], "")
    assert twins.step("import-url", d, "data")[:2] == (0, ["Importing 'SRC/dir' -> 'data'", *reminder[:3],
                                                           "\tgit add .gitignore data.dvc", *reminder[4:]])
    assert twins.step("import-url", "--no-exec", a, "ne.txt")[0] == 0
    assert twins.step("import-url", "--no-download", a, "nd.txt")[0] == 0
    assert twins.step("import-url", a, "sub")[1][0] == "Importing 'SRC/a.txt' -> 'sub/a.txt'"
    assert twins.step("import-url", "raw/r.txt", "sub/r.txt")[0] == 0  # inside the repository

    code, out, err = twins.step("import-url", a)
    assert (code, out) == (1, [])
    assert err == (f"failed to import SRC/a.txt. You could also try downloading it manually, and adding it with "
                   f"`dvc add`. - The file 'a.txt' already exists locally. \nTo override it, re-run with '--force'.")
    code, out, _ = twins.step("import-url", "-f", a)
    assert (code, out[-1]) == (0, "\tdvc config core.autostage true") and "\tgit add a.txt.dvc" in out
    code, out, err = twins.step("import-url", str(src / "nonexist"))
    assert (code, out) == (1, ["Importing 'SRC/nonexist' -> 'nonexist'"])
    assert err.endswith(" - dependency 'SRC/nonexist' does not exist")

    files = _unfolded(workspace_files(twins.dvc))
    assert files["a.txt"][0] == "a\n" and files["data/x"][0] == "x\n" and files["sub/a.txt"][0] == "a\n"
    assert "ne.txt" not in files and "nd.txt" not in files and "nonexist.dvc" not in files
    assert f"  path: {a}\n" in files["a.txt.dvc"][0] and "frozen: true\n" in files["a.txt.dvc"][0]
    assert files["sub/r.txt.dvc"][0].endswith("  path: ../raw/r.txt\nouts:\n- md5: 72cfd272ace172fa35026445fbef9b03"
                                              "\n  size: 2\n  hash: md5\n  path: r.txt\n")
    assert "nfiles: 2" in files["data.dvc"][0]
    ne = f"frozen: true\ndeps:\n- hash: md5\n  path: {a}\nouts:\n- hash: md5\n  path: ne.txt\n"
    assert files["ne.txt.dvc"][0] == ne
    assert files[".gitignore"][0] == "/a.txt\n/data\n/ne.txt\n/nd.txt\n"
    assert files["sub/.gitignore"][0] == "/a.txt\n/r.txt\n"

    status = twins.status()
    assert status == {"nd.txt.dvc": [{"changed outs": {"nd.txt": "deleted"}}],
                      "ne.txt.dvc": [{"changed outs": {"ne.txt": "deleted"}}, "changed checksum"]}


def _unfolded(files: dict) -> dict:
    """The files with ruamel's folding of a long value undone: a path past its 80 columns goes on the next line
    (`path: \n    /tmp/...`), as under pytest-xdist's longer temporary folders; both tools write it so."""
    return {name: (re.sub(r"(path:) \n +", r"\1 ", text), *rest) for name, (text, *rest) in files.items()}


def test_update_matches_dvc(make_ws, tmp_path):
    src = _source(tmp_path)
    twins = Twins(make_ws, src)
    a, d = str(src / "a.txt"), str(src / "dir")

    def prepare(ws: Workspace) -> None:
        ws.write("raw/r.txt", "r\n")
        ws.write("plain.txt", "p\n")
        ws.dvc("add", "-q", "plain.txt")

    twins.each(prepare)
    for args in (("import-url", a), ("import-url", d, "data"), ("import-url", "--no-exec", a, "ne.txt"),
                 ("import-url", "raw/r.txt", "r.txt")):
        assert twins.step(*args)[0] == 0

    assert twins.step("update", "a.txt.dvc") == (0, ["'a.txt.dvc' didn't change, skipping"], "")
    assert twins.step("update", "data.dvc", "r.txt.dvc")[1] == ["'data.dvc' didn't change, skipping",
                                                                "'r.txt.dvc' didn't change, skipping"]

    (src / "a.txt").write_text("a2\n")
    (src / "dir" / "x").write_text("x2\n")
    (src / "dir" / "z").write_text("z\n")
    twins.each(lambda ws: ws.write("raw/r.txt", "r2\n"))
    code, out, err = twins.step("update", "a.txt.dvc", "data.dvc", "ne.txt.dvc", "r.txt.dvc")
    assert (code, err) == (0, "")
    assert out == ["Importing 'SRC/a.txt' -> 'a.txt'", "Importing 'SRC/a.txt' -> 'ne.txt'",
                   "Importing 'SRC/dir' -> 'data'", "Importing 'raw/r.txt' -> 'r.txt'"]
    files = _unfolded(workspace_files(twins.dvc))
    assert files["a.txt"][0] == files["ne.txt"][0] == "a2\n" and files["r.txt"][0] == "r2\n"
    assert files["data/x"][0] == "x2\n" and files["data/z"][0] == "z\n" and "nfiles: 3" in files["data.dvc"][0]
    # The --no-exec file is rewritten over its old text: the new hashes and the stage md5 come after its keys.
    ne = files["ne.txt.dvc"][0]
    assert ne.startswith(f"frozen: true\ndeps:\n- hash: md5\n  path: {a}\n  md5: ")
    assert re.search(r"\n  path: ne.txt\n  md5: \w+\n  size: 3\nmd5: \w+\n$", ne), ne

    assert twins.step("update", "a.txt.dvc", "data.dvc")[1] == ["'a.txt.dvc' didn't change, skipping",
                                                                "'data.dvc' didn't change, skipping"]
    assert twins.step("update", "plain.txt.dvc") == (
        0, [], "WARNING: Could not update 'plain.txt', it was never pushed to a remote")
    assert twins.step("update", "nope.dvc") == (1, [], "failed update data - 'WS/nope.dvc' does not exist")
    assert twins.status() == {}


def test_update_no_download_matches_dvc(make_ws, tmp_path):
    src = _source(tmp_path)
    twins = Twins(make_ws, src)
    a = str(src / "a.txt")
    assert twins.step("import-url", a)[0] == 0
    (src / "a.txt").write_text("a2\n")
    # dvc's `update --no-download` saves the stage md5 while the out still holds its old hash (Stage.save in
    # reproduce, then `outs[0].clear()` in update_import), so its own `status` then reports "changed checksum".
    # flowops writes the same md5, so both files and both statuses agree.
    code, out, _ = twins.step("update", "--no-download", "a.txt.dvc")
    assert (code, out) == (0, ["Importing 'SRC/a.txt' -> 'a.txt'"])
    text = twins.dvc.read("a.txt.dvc")
    assert "a.txt" not in workspace_files(twins.dvc) and text.endswith("outs:\n- hash: md5\n  path: a.txt\n")
    assert twins.status() == {"a.txt.dvc": [{"changed outs": {"a.txt": "deleted"}}, "changed checksum"]}


def test_import_over_imported_directory_matches_dvc(make_ws, tmp_path):
    src = _source(tmp_path)
    twins = Twins(make_ws, src)
    assert twins.step("import-url", str(src / "dir"), "data")[0] == 0
    # Importing the directory again to `data`, an existing directory, means `data/dir`: dvc refuses the
    # git-ignored `.dvc` name before it looks for overlapping outputs.
    assert twins.step("import-url", str(src / "dir"), "data") == (
        1, [], "failed to import SRC/dir. You could also try downloading it manually, and adding it with `dvc add`. "
               "- bad DVC file name 'data/dir.dvc' is git-ignored.")


def test_update_directory_target_matches_dvc(make_ws, tmp_path):
    src = _source(tmp_path)
    twins = Twins(make_ws, src)
    twins.each(lambda ws: (ws.root / "sub").mkdir())
    assert twins.step("import-url", str(src / "a.txt"), "sub")[0] == 0
    assert twins.step("update", "-R", "sub")[1] == ["'sub/a.txt.dvc' didn't change, skipping"]
    # Without -R a directory is no target: dvc looks for an output or a stage by that name.
    assert twins.step("update", "sub") == (
        1, [], "failed update data - 'sub' does not exist as an output or a stage name in 'dvc.yaml': "
               "'dvc.yaml' does not exist")


def test_each_tool_takes_the_others_imports(make_ws, tmp_path):
    src = _source(tmp_path)
    a, d = str(src / "a.txt"), str(src / "dir")
    ws = make_ws("ws")
    ws.flowops("data", "import-url", a)
    ws.flowops("data", "import-url", d, "data")
    ws.dvc("import-url", a, "b.txt")
    ws.dvc("import-url", d, "data2")
    imports = ("a.txt.dvc", "b.txt.dvc", "data.dvc", "data2.dvc")
    warnings = sorted(FROZEN.format(name) for name in imports)

    for result in (ws.dvc("status"), ws.flowops("data", "status")):
        assert (result.stdout, sorted(result.stderr.splitlines())) == (UP_TO_DATE, warnings)
    assert ws.dvc("status", "--json").json() == ws.flowops("data", "status", "--json").json() == {}
    for result in (ws.dvc("update", *imports), ws.flowops("data", "update", *imports)):
        assert sorted(result.stdout.splitlines()) == [f"'{name}' didn't change, skipping" for name in imports]
    before = workspace_files(ws)
    deps = {name: before[name][0].split("deps:")[1].split("outs:")[0] for name in imports}
    assert deps["a.txt.dvc"] == deps["b.txt.dvc"] and deps["data.dvc"] == deps["data2.dvc"]

    # flowops restores what dvc imported, and dvc what flowops imported.
    for rel in ("b.txt", "data2/x"):
        (ws.root / rel).unlink()
    ws.flowops("data", "checkout")
    (ws.root / "data" / "y").unlink()
    ws.dvc("checkout")
    assert workspace_files(ws) == before
    assert ws.dvc("status").stdout == ws.flowops("data", "status").stdout == UP_TO_DATE


def test_status_of_changed_imports_matches_dvc(make_ws, tmp_path):
    src = _source(tmp_path)
    twins = Twins(make_ws, src)
    a, d = str(src / "a.txt"), str(src / "dir")
    for args in (("import-url", a), ("import-url", d, "data"), ("import-url", "--no-exec", a, "ne.txt")):
        assert twins.step(*args)[0] == 0
    assert twins.step("unfreeze", "a.txt.dvc", "data.dvc") == (0, [], "")
    assert "frozen" not in twins.fo.read("a.txt.dvc") and "frozen: true" in twins.fo.read("ne.txt.dvc")
    (src / "a.txt").write_text("a2\n")
    (src / "dir" / "y").unlink()
    twins.each(lambda ws: (ws.root / "data" / "x").write_text("changed\n"))
    assert twins.status() == {
        "a.txt.dvc": [{"changed deps": {a: "modified"}}],
        "data.dvc": [{"changed deps": {d: "modified"}}, {"changed outs": {"data": "modified"}}],
        "ne.txt.dvc": [{"changed outs": {"ne.txt": "deleted"}}, "changed checksum"],
    }


def test_status_json_warns_of_frozen_imports_like_dvc(make_ws, tmp_path):
    src = _source(tmp_path)
    twins = Twins(make_ws, src)
    assert twins.step("import-url", str(src / "a.txt"))[0] == 0
    # dvc prints the frozen-stage warning to stderr with --json too.
    for ws in (twins.dvc, twins.fo):
        for result in (ws.dvc("status", "--json"), ws.flowops("data", "status", "--json")):
            assert (result.json(), result.stderr) == ({}, FROZEN.format("a.txt.dvc") + "\n")


def test_repro_of_imports_matches_dvc(make_ws, tmp_path):
    """An import feeding a stage: frozen, repro leaves a changed source alone; unfrozen, it imports it again and
    the stage runs on the new data; a frozen import's edited copy is verified. The .dvc and dvc.lock bytes match
    dvc's after each repro, and each tool's status is clean on the other's result."""
    src = _source(tmp_path)
    twins = Twins(make_ws, src)
    pipeline = "stages:\n  use:\n    cmd: cat a.txt > b.txt\n    deps: [a.txt]\n    outs: [b.txt]\n"
    assert twins.step("import-url", str(src / "a.txt"))[0] == 0
    twins.each(lambda ws: ws.write("dvc.yaml", pipeline))

    def repro() -> list[str]:
        dvc_out = twins.dvc.dvc("repro").stdout
        fo_out = twins.fo.flowops("repro").stdout
        assert workspace_files(twins.fo) == workspace_files(twins.dvc)
        # The lines both print about the import; stage and reminder lines are worded apart.
        wanted = ("Importing", "Verifying", "'a.txt.dvc'")
        mine = [line for line in _normal(fo_out, twins.fo, src) if line.startswith(wanted)]
        theirs = [line for line in _normal(dvc_out, twins.dvc, src) if line.startswith(wanted)]
        assert mine == theirs
        return theirs

    assert repro() == ["'a.txt.dvc' didn't change, skipping"]
    (src / "a.txt").write_text("a2\n")
    assert repro() == ["'a.txt.dvc' didn't change, skipping"]
    assert twins.step("unfreeze", "a.txt.dvc")[0] == 0
    assert repro() == ["Importing 'SRC/a.txt' -> 'a.txt'"]
    assert twins.fo.read("b.txt") == "a2\n"
    assert twins.step("freeze", "a.txt.dvc")[0] == 0
    twins.each(lambda ws: ws.write("a.txt", "edited\n"))
    assert repro() == ["Verifying outputs in frozen stage: 'a.txt.dvc'"]
    for ws in (twins.dvc, twins.fo):
        assert ws.dvc("status").stdout == UP_TO_DATE
        assert ws.flowops("data", "status").stdout == UP_TO_DATE


def test_import_from_a_local_remote_path_matches_dvc(make_ws, tmp_path):
    src = _source(tmp_path)
    twins = Twins(make_ws, src)
    twins.each(lambda ws: ws.dvc("remote", "add", "shelf", str(src)))
    assert twins.step("import-url", "remote://shelf/dir", "fromdir")[:2] == (
        0, ["Importing 'remote://shelf/dir' -> 'fromdir'", "", "To track the changes with git, run:", "",
            "\tgit add .gitignore fromdir.dvc", "", "To enable auto staging, run:", "",
            "\tdvc config core.autostage true"])
    assert twins.step("import-url", "remote://shelf/a.txt")[0] == 0
    assert twins.dvc.read("a.txt.dvc") == twins.fo.read("a.txt.dvc")
    assert "  path: remote://shelf/a.txt\n" in twins.fo.read("a.txt.dvc")
    code, out, err = twins.step("import-url", "remote://shelf/nope")
    assert code == 1 and err.endswith(" - dependency 'remote://shelf/nope' does not exist")

    (src / "dir" / "z").write_text("z\n")
    twins.each(lambda ws: ws.dvc("unfreeze", "fromdir.dvc"))
    assert twins.status()["fromdir.dvc"] == [{"changed deps": {"remote://shelf/dir": "modified"}}]
    assert twins.step("update", "fromdir.dvc")[0] == 0
    assert twins.dvc.read("fromdir.dvc") == twins.fo.read("fromdir.dvc")


def test_repro_of_an_import_without_any_dvc_yaml_matches_dvc(make_ws, tmp_path):
    """dvc reproduces a `.dvc` target in a repository with no dvc.yaml at all; with no target it needs one."""
    src = _source(tmp_path)
    twins = Twins(make_ws, src)

    def repro(*args: str) -> tuple[int, list[str], str]:
        outcomes = []
        for ws, result in ((twins.dvc, twins.dvc.dvc("repro", *args, check=False)),
                           (twins.fo, twins.fo.flowops("repro", *args, check=False))):
            stderr = error_lines(result.stderr).replace(str(ws.root), "WS")
            outcomes.append((result.returncode, _normal(result.stdout, ws, src), stderr))
        assert outcomes[1] == outcomes[0], args
        assert workspace_files(twins.fo) == workspace_files(twins.dvc), args
        return outcomes[0]

    assert twins.step("import-url", str(src / "a.txt"))[0] == 0
    assert repro("a.txt.dvc") == (0, ["'a.txt.dvc' didn't change, skipping", UP_TO_DATE.strip()], "")
    assert twins.step("unfreeze", "a.txt.dvc")[0] == 0
    (src / "a.txt").write_text("a3\n")
    code, out, _ = repro("a.txt.dvc")
    assert code == 0 and out[0] == "Importing 'SRC/a.txt' -> 'a.txt'" and out[-1].startswith("Use `dvc push`")
    assert twins.fo.read("a.txt") == "a3\n" and twins.dvc.read("a.txt.dvc") == twins.fo.read("a.txt.dvc")
    code, _, err = repro("nope.dvc")
    assert code == 255 and err == "'WS/nope.dvc' does not exist"
    assert twins.dvc.dvc("repro", check=False).returncode == twins.fo.flowops("repro", check=False).returncode == 255
