"""Bad input never crashes a run: one clear line per file, the other files still checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from lintkit.frontends.runner import check_file

FINDING = 'import qpid.messaging\nconn = qpid.messaging.Connection("b", heartbeat=30)\nconn.hearbeat = 1\n'


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_schema_set())


def imports_a_schema_module(engine: Engine, source: str | bytes) -> bool:
    prefilter = engine.schemas.prefilter
    return prefilter.imports_plainly(source) or prefilter.imports_from(source)


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def test_syntax_error_is_one_line_and_the_run_continues(tmp_path: Path) -> None:
    write(tmp_path / "a_broken.py", "import qpid.messaging\nconn = qpid.messaging.Connection('b')\0\n")
    write(tmp_path / "b_good.py", FINDING)
    write(tmp_path / "c_legacy.py",
          "import qpid.messaging\nprint 'connecting'\nconn = qpid.messaging.Connection('b', heartbeat=30)\n")
    write(tmp_path / "d_broken3.py",
          "import qpid.messaging\nconn = qpid.messaging.Connection('b', heartbeat=30\nconn.hearbeat = 5\n")
    completed = subprocess.run([sys.executable, "-m", "lintkit", "check", str(tmp_path)],
                               capture_output=True, text=True)
    assert completed.returncode == 1
    assert completed.stdout == f"{tmp_path / 'b_good.py'}:3:6: LK101 [*] 'hearbeat' is not an attribute of " \
                               "qpid.messaging.Connection; did you mean 'heartbeat'?\n"
    errors = [line for line in completed.stderr.splitlines() if ": error: " in line]
    # A Python 3 file that is merely broken is an error, not a legacy file read in part.
    assert errors == [f"{tmp_path / 'a_broken.py'}:1:1: error: cannot parse: source code string cannot contain null bytes",
                      f"{tmp_path / 'd_broken3.py'}:2:33: error: cannot parse: '(' was never closed"]
    warnings = [line for line in completed.stderr.splitlines() if ": warning: " in line]
    assert warnings == [f"{tmp_path / 'c_legacy.py'}:2:1: warning: not valid Python 3 (Missing parentheses in call "
                        "to 'print'. Did you mean print(...)?); checked the statements Python 3 can read"]
    assert "Traceback" not in completed.stderr


def test_undecodable_bytes(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.py", b"import qpid.messaging\nconn = qpid.messaging.Connection('\xff\xfe')\n")
    result = check_file(engine, str(path))
    assert result.findings == []
    assert result.error.message.startswith("cannot decode: ")


def test_unknown_coding_cookie(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.py",
                 b"# -*- coding: klingon -*-\nimport qpid.messaging\nconn = qpid.messaging.Connection('b')\n")
    assert "cannot decode" in check_file(engine, str(path)).error.message


def test_nul_bytes(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path / "nul.py", b"import qpid.messaging\nconn = qpid.messaging.Connection('b')\x00\n")
    assert check_file(engine, str(path)).error.message.startswith("cannot parse")


@pytest.mark.parametrize("content", [b"", b"\n", b"\xef\xbb\xbf", b"# only a comment"])
def test_empty_files(engine: Engine, tmp_path: Path, content: bytes) -> None:
    result = check_file(engine, str(write(tmp_path / "empty.py", content)))
    assert (result.findings, result.error) == ([], None)


def test_five_megabyte_file(engine: Engine, tmp_path: Path) -> None:
    filler = "".join(f"value_{i} = {{'key': [{i}, {i + 1}], 'name': 'entry {i}'}}\n" for i in range(120_000))
    path = write(tmp_path / "huge.py", FINDING + filler + "conn.reconect = True\n")
    assert path.stat().st_size > 5_000_000
    result = check_file(engine, str(path))
    assert result.error is None
    assert [(f.line, f.code) for f in result.findings] == [(3, "LK101"), (120_004, "LK101")]


@pytest.mark.parametrize("source", [
    "import qpid.messaging\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "import qpid.messaging\nx = " + "[" * 300 + "]" * 300 + "\n",
    "import qpid.messaging\nx = 1" + " + 1" * 200_000 + "\n",
    "import qpid.messaging\nx = a" + ".b" * 100_000 + "\n",
    "import qpid.messaging\n" + "".join("    " * i + "if x:\n" for i in range(120)) + "    " * 120 + "pass\n",
], ids=["parentheses", "brackets", "long-binop", "long-attribute-chain", "deep-blocks"])
def test_deeply_nested_input(engine: Engine, tmp_path: Path, source: str) -> None:
    result = check_file(engine, str(write(tmp_path / "deep.py", source)))
    assert result.findings == []
    if result.error is not None:
        assert result.error.message.startswith(("cannot parse", "cannot analyse")), result.error


def test_unreadable_paths(tmp_path: Path) -> None:
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    write(tmp_path / "good.py", FINDING)
    completed = subprocess.run(
        [sys.executable, "-m", "lintkit", "check", str(tmp_path), str(tmp_path / "absent.py")],
        capture_output=True, text=True)
    assert completed.returncode == 1
    assert completed.stdout.count("LK101") == 1
    errors = sorted(line for line in completed.stderr.splitlines() if ": error: " in line)
    # A path named on the command line that does not exist is a usage-level error without a
    # position; a dangling link found in a directory is a file that cannot be read.
    assert errors == [f"{tmp_path / 'dangling.py'}:1:1: error: cannot read: No such file or directory",
                      f"lintkit: error: {tmp_path / 'absent.py'}: no such file or directory"]


def test_file_without_relevant_import_is_not_parsed(engine: Engine, tmp_path: Path) -> None:
    # The prefilter skips it, so even a syntax error goes unreported.
    path = write(tmp_path / "other.py", "import os\ndef f(:\n")
    assert check_file(engine, str(path)).error is None


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbfimport qpid.messaging\n",
    b"x = 1\rimport qpid.messaging\r",
    b"x = 1\r\nfrom qpid import messaging\r\n",
    b"import os, qpid.messaging  # comment\n",
])
def test_prefilter_finds_imports_in_every_line_ending(engine: Engine, data: bytes) -> None:
    assert imports_a_schema_module(engine, data)
    assert imports_a_schema_module(engine, data.decode("utf-8-sig"))


@pytest.mark.parametrize("data", [b"import os\n", b"# import qpid\n", b"x = 'import qpid'\n", b"from os import socket\n"])
def test_prefilter_skips_files_without_a_schema_import(engine: Engine, data: bytes) -> None:
    assert not engine.wants(data)


@pytest.mark.parametrize("data", [
    b"x = 'import'\nfrom socket \\\n    import socket\n",
    b"\"\"\"from here, import nothing\"\"\"\n  import  ssl as tls\n",
    b"import os\nimport os.path, http.client\n",
])
def test_prefilter_reads_each_candidate_line(engine: Engine, data: bytes) -> None:
    assert imports_a_schema_module(engine, data)
    assert imports_a_schema_module(engine, data.decode())


@pytest.mark.parametrize(("source", "wanted"), [
    ("import socket\nprint(socket.gethostname())\n", False),  # no class, factory or watched method
    ("import socket\nsock = socket.socket()\n", True),
    ("import socket as s\nsock = s.create_connection(('h', 1))\n", True),
    ("import socket\nsock.setsockopt(1, 2, 3)\n", True),
    ("import socket\nf(socket_options=[])\n", True),
    ("import socket\nsetattr(x, 'y', 1)\n", False),  # on an object the file never makes
    ("import socket\nself.socket = None\nloop.create_connection(p)\n", False),  # not through the module
    ("import socket\nx.set_keepalive(30)\n", False),  # a setter only counts against a client made here
    ('import socket\n"""Ends here.\n\n    socket options."""\n', False),  # a full stop in prose
    ("import http.client as hc\nconn = hc.HTTPConnection('h')\n", True),
    ("import paramiko\nssh = paramiko.client.SSHClient()\n", True),
    ("import socket\nsock = (socket\n        .socket())\n", True),
    ("import os; import socket\nsocket.socket()\n", True),
    ("import os, socket, \\\n    ssl\nctx.wrap_socket(s)\n", True),  # a statement read in part: any attribute
    ("from socket import gethostname\n", True),  # a from-import may bind a class: always parsed
    ("import socket\n# ｓocket.socket()\n", True),  # non-ASCII text: never skipped
])
def test_prefilter_after_a_plain_import_wants_an_attribute(engine: Engine, source: str, wanted: bool) -> None:
    assert engine.wants(source) is wanted
    assert engine.wants(source.encode("utf-8")) is wanted
