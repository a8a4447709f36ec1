"""`--json` of the commands dvc has too (status, diff, ls) prints dvc's very bytes when piped (Python's
json.dumps), and `ls` marks stage outputs as dvc's index does: cached outs recorded in dvc.lock with their
md5, declared outs of a stage that never ran without one, `cache: false` outs not at all."""

from __future__ import annotations

from conftest import Workspace

PIPELINE = (
    "stages:\n"
    "  s:\n    cmd: cp in m.json && mkdir -p od && cp in od/x && cp in out\n    deps: [in]\n"
    "    outs: [od, out]\n    metrics:\n    - m.json:\n        cache: false\n"
    "  never:\n    cmd: echo > never.txt\n    outs: [never.txt]\n"
)


def test_json_bytes_and_stage_outs_match_dvc(make_ws):
    outputs = {}
    for tool in ("dvc", "flowops"):
        ws: Workspace = make_ws(tool)
        run = ws.dvc if tool == "dvc" else (lambda *args, **kw: ws.flowops("data", *args, **kw))
        ws.write("in", "1\n")
        ws.write("data/a.txt", "a\n")
        ws.write("dvc.yaml", PIPELINE)
        ws.dvc("add", "data")
        ws.dvc("repro", "s")
        ws.git("add", "-A")
        ws.git("commit", "-qm", "one")
        ws.write("in", "2\n")
        ws.dvc("repro", "s")
        ws.write("data/é.txt", "accent\n")
        ls = (lambda *a: run("ls", ".", *a)) if tool == "dvc" else (lambda *a: run("ls", *a))
        outputs[tool] = [
            run("status", "--json").stdout,
            run("diff", "--json").stdout,
            ls("--json").stdout,
            ls("-R", "--json").stdout,
            ls("-R", "--dvc-only").stdout,
        ]
    assert outputs["flowops"] == outputs["dvc"]
    assert '"path": "never.txt"' in outputs["dvc"][2] and '"isout": true' in outputs["dvc"][2]
    assert "\\u00e9" in outputs["dvc"][1]
