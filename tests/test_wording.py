"""Messages and docs state measured defaults, not sweeping claims about middleboxes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
TEXTS = sorted([*(ROOT / "lintkit").rglob("*.py"), *(ROOT / "docs").rglob("*.md"), ROOT / "README.md"])
#: "most NAT gateways ... forget idle flows after 240-350 s": common cloud defaults are 240 s (Azure)
#: and 350 s (AWS NAT gateway); others differ (GCP Cloud NAT 1200 s, many firewalls 1 h or never).
OVERSTATEMENTS = re.compile(r"most (NAT|load balancers|firewalls|middleboxes)|240\s*[-–]\s*350", re.IGNORECASE)


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_overstated_idle_timeouts(path: Path) -> None:
    found = [line for line in path.read_text(encoding="utf-8").splitlines() if OVERSTATEMENTS.search(line)]
    assert not found, f"{path}: say 'common cloud defaults (Azure 240 s, AWS NAT gateway 350 s)': {found}"


def test_unnamed_ssh_client_gets_the_transport_path() -> None:
    from lintkit.engine import Engine
    from lintkit.schemas.registry import load_schema_set

    source = "import paramiko\nclients = [paramiko.SSHClient()]\n"
    [finding] = Engine(load_schema_set(), ("LK204",)).check_text(source, "app.py").findings
    assert finding.message.endswith(
        "after connect(), call get_transport().set_keepalive(30) (seconds) on this client")
    assert "call set_keepalive" not in finding.message
