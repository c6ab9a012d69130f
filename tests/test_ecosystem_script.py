"""The pure logic of benchmarks/ecosystem/run.py: no network, no lintkit run."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "ecosystem" / "run.py"


@pytest.fixture(scope="module")
def eco():
    spec = importlib.util.spec_from_file_location("ecosystem_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


HEADER = "project,path,line,col,code,verdict,reason\n"


def lintkit_json(*items):
    return json.dumps([
        {"code": code, "message": f"message of {code}", "filename": filename,
         "location": {"row": row, "column": col}}
        for filename, row, col, code in items])


def test_findings_are_keyed_by_project_relative_path_line_col_code(eco):
    found = eco.findings_from_json("kombu", lintkit_json(("./t/unit/test_x.py", 12, 5, "LK204")))
    assert found == [eco.Finding(eco.Key("kombu", "t/unit/test_x.py", 12, 5, "LK204"), "message of LK204")]


def test_precision_counts_tp_over_judged_per_rule_family_and_total(eco):
    findings = eco.findings_from_json("p", lintkit_json(
        ("a.py", 1, 1, "LK204"), ("a.py", 2, 1, "LK204"), ("a.py", 3, 1, "LK204"),
        ("a.py", 4, 1, "LK202"), ("b.py", 1, 1, "LK101"), ("b.py", 9, 1, "LK101")))
    verdicts = eco.parse_triage(HEADER + "\n".join([
        "p,a.py,1,1,LK204,tp,stored on self and idle for minutes",
        "p,a.py,2,1,LK204,noise,test code",
        "p,a.py,3,1,LK204,fp,memory transport",
        "p,a.py,4,1,LK202,tp,\"real, with a comma\"",
        "p,b.py,1,1,LK101,fp,the attribute exists",
    ]) + "\n")
    result = eco.compare(findings, verdicts)

    lk204 = result.by_rule["LK204"]
    assert (lk204.tp, lk204.fp, lk204.noise, lk204.unjudged) == (1, 1, 1, 0)
    assert lk204.precision == pytest.approx(1 / 3)
    lk2 = result.by_family["LK2xx"]
    assert (lk2.tp, lk2.judged, lk2.total) == (2, 4, 4)
    assert lk2.precision == pytest.approx(0.5)
    lk1 = result.by_family["LK1xx"]
    assert (lk1.tp, lk1.fp, lk1.unjudged, lk1.precision) == (0, 1, 1, 0.0)
    assert (result.total.judged, result.total.unjudged, result.total.tp) == (5, 1, 2)
    assert result.total.precision == pytest.approx(2 / 5)
    assert verdicts[eco.Key("p", "a.py", 4, 1, "LK202")].reason == "real, with a comma"


def test_unjudged_and_gone_are_listed(eco):
    findings = eco.findings_from_json("p", lintkit_json(("new.py", 7, 3, "LK201"), ("kept.py", 1, 1, "LK204")))
    verdicts = eco.parse_triage(HEADER + "p,kept.py,1,1,LK204,tp,real\n"
                                "p,old.py,5,1,LK204,noise,test code\n"
                                "q,other.py,5,1,LK204,fp,wrong transport\n")
    result = eco.compare(findings, verdicts, projects={"p"})
    assert [f.key for f in result.unjudged] == [eco.Key("p", "new.py", 7, 3, "LK201")]
    # q was not checked in this run, so its verdict is not "gone"
    assert [v.key for v in result.gone] == [eco.Key("p", "old.py", 5, 1, "LK204")]
    text = eco.report(result)
    assert "p:new.py:7:3: LK201 message of LK201" in text
    assert "p:old.py:5:1: LK204 [noise] test code" in text
    assert "other.py" not in text


def test_a_finding_moved_by_one_column_is_unjudged_and_its_verdict_gone(eco):
    findings = eco.findings_from_json("p", lintkit_json(("a.py", 1, 2, "LK204")))
    verdicts = eco.parse_triage(HEADER + "p,a.py,1,1,LK204,tp,real\n")
    result = eco.compare(findings, verdicts)
    assert len(result.unjudged) == 1 and len(result.gone) == 1
    assert result.total.precision is None
    assert eco.format_precision(result.total.precision) == "-"


def test_rows_without_a_verdict_are_not_verdicts_and_round_trip(eco):
    findings = eco.findings_from_json("p", lintkit_json(("a.py", 3, 1, "LK202")))
    rows = HEADER + eco.triage_rows(findings)
    assert rows.splitlines()[1] == "p,a.py,3,1,LK202,,message of LK202"
    assert eco.parse_triage(rows) == {}


@pytest.mark.parametrize("row, error", [
    ("p,a.py,1,1,LK204,maybe,unsure", "not one of tp, fp, noise"),
    ("p,a.py,1,1,LK204,tp,", "needs a one-line reason"),
    ("p,a.py,1,1,LK204,tp,real\np,a.py,1,1,LK204,fp,also", "judged twice"),
])
def test_bad_triage_rows_are_refused(eco, row, error):
    with pytest.raises(ValueError, match=error):
        eco.parse_triage(HEADER + row + "\n")


def test_the_committed_triage_file_parses_and_names_pinned_projects(eco):
    verdicts = eco.parse_triage(eco.TRIAGE_FILE.read_text(encoding="utf-8"))
    names = {p.name for p in eco.load_projects()}
    assert len(names) >= 30
    assert {k.project for k in verdicts} <= names


def test_gone_verdicts_are_counted_per_rule_and_listed_on_request(eco):
    verdicts = eco.parse_triage(HEADER + "p,old.py,5,1,LK204,noise,test code\n"
                                "p,old.py,9,1,LK204,noise,test code\np,b.py,2,1,LK201,fp,wrong\n")
    result = eco.compare([], verdicts, projects={"p"})
    short = eco.report(result, list_gone=False)
    assert "3 verdict(s) whose finding is no longer reported (gone): LK201 fp 1, LK204 noise 2" in short
    assert "old.py" not in short
    assert "p:old.py:9:1: LK204 [noise] test code" in eco.report(result)
