"""Vendored code: LK2xx leave it alone unless strict; LK1xx still report there; the same in every front end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lintkit.liveness.vendored_code import is_vendored

# A socket stored on self (LK201 at 11:21) in a protocol client class, as vendored copies of the
# standard library look, and a misspelt keyword (LK102 at 12:69).
CLIENT = """\
import socket
import redis


class Telnet:
    def __init__(self, host):
        self.host = host
        self.sock = None

    def open(self):
        self.sock = socket.create_connection((self.host, 23))
        self.r = redis.Redis(host=self.host, socket_keepalive=True, helth_check_interval=30)
"""


def project(root: Path, vendored_dir: str, licence: str | None = "LICENSE") -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    (root / "LICENSE").write_text("MIT\n")
    package = root / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    copy = package / vendored_dir
    copy.mkdir()
    if licence:
        (copy / licence).write_text("PSF\n")
    (copy / "telnetlib.py").write_text(CLIENT)
    (package / "client.py").write_text(CLIENT)
    return copy / "telnetlib.py"


def run(*args: str, cwd: Path) -> list[str]:
    completed = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd, check=False)
    assert completed.returncode in (0, 1), completed.stderr
    return sorted(line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in completed.stdout.splitlines()
                  if " LK" in line)


@pytest.mark.parametrize(("directory", "licence"), [("_telnetlib", "LICENSE"), ("_lib", "COPYING.txt"),
                                                    ("_vendor", None), ("third_party", None)])
def test_recognised(tmp_path: Path, directory: str, licence: str | None) -> None:
    copy = project(tmp_path, directory, licence)
    assert is_vendored(str(copy))
    assert not is_vendored(str(tmp_path / "app" / "client.py"))


def test_not_vendored(tmp_path: Path) -> None:
    # the project's own licence next to a top-level package; a licence module; a sub-project; no root at all
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "LICENSE").write_text("MIT\n")
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub").mkdir()
    (tmp_path / "pkg" / "sub" / "license.py").write_text("")
    (tmp_path / "pkg" / "sub" / "m.py").write_text("")
    (tmp_path / "pkg" / "plugin").mkdir()
    (tmp_path / "pkg" / "plugin" / "LICENSE").write_text("MIT\n")
    (tmp_path / "pkg" / "plugin" / "setup.py").write_text("")
    (tmp_path / "pkg" / "plugin" / "m.py").write_text("")
    assert not is_vendored(str(tmp_path / "pkg" / "m.py"))
    assert not is_vendored(str(tmp_path / "pkg" / "sub" / "m.py"))
    assert not is_vendored(str(tmp_path / "pkg" / "plugin" / "m.py"))


def test_cli_and_flake8_leave_liveness_to_the_copy_and_keep_names(tmp_path: Path) -> None:
    project(tmp_path, "_telnetlib")
    expected = ["app/_telnetlib/telnetlib.py:12:69: LK102", "app/client.py:11:21: LK201", "app/client.py:12:69: LK102"]
    assert run("lintkit", "check", "app", cwd=tmp_path) == expected
    assert run("flake8", "--select", "LK", "app", cwd=tmp_path) == expected
    assert "app/_telnetlib/telnetlib.py:11:21: LK201" in run("lintkit", "check", "--strict", "app", cwd=tmp_path)
