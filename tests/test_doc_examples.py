"""Code in documentation: docstring examples, Markdown and reST code blocks (lintkit.reading.doc_examples).

The docstring fixture (tests/fixtures/doc_examples/docstrings.py) runs through the engine, the CLI and
the real flake8 in test_fixtures.py; here: Markdown and reST at exact positions, the configuration
keys through every front end, the LK2xx policy, noqa, fixes and the prefilter."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from functools import lru_cache
from pathlib import Path

import pytest

from lintkit.checks import ALL_CHECKS
from lintkit.analysis.context import RuleOptions
from lintkit.reading.doc_examples import document_blocks, prompt_examples
from lintkit.engine import Engine
from lintkit.frontends.fixer import fix_source
from lintkit.schemas.registry import load_schema_set

ROOT = Path(__file__).parent.parent
DOCSTRING_FIXTURE = ROOT / "tests" / "fixtures" / "doc_examples" / "docstrings.py"

MARKDOWN = textwrap.dedent('''\
    # Connecting

    ```python
    import redis
    r = redis.Redis(host="cache",
                    socket_keepaliv=True)
    ```

    Each code block is a module of its own: `r` is not known in the next one.

    ```python
    r.conection_pool = None
    ```

    The `>>>` examples of a file are one session, as doctest runs a text file:

    ```pycon
    >>> from kombu import Connection
    >>> Connection("amqp://", hearbeat=1)  # noqa: LK102
    >>> Connection("amqp://", transport_optoins={})
    <Connection: amqp://...>
    >>> c = Connection("amqp://")
    ```

    1. In a list item:

       ~~~py
       from kombu import Connection
       conn = Connection("amqp://",
                         heartbeat=0)
       conn.heartbeet = 5
       ~~~

    ```python
    >>> c.hearbeat = 5
    ```

    ```python
    r = redis.Redis(  # a fragment that does not parse: skipped
    ```

    ```js
    Connection("amqp://", hearbeat=1)
    ```
    ''')

REST = textwrap.dedent('''\
    Guide
    =====

    .. code-block:: python
       :caption: connecting

       import redis
       r = redis.Redis(socket_keepaliv=True)

    A doctest block::

        >>> from kombu import Connection
        >>> c = Connection("amqp://")
        >>> c.hearbeat = 1

    .. code-block:: text

       Connection("amqp://", hearbeat=1)

    Literal, no language::

        Connection("amqp://", hearbeat=1)

    .. testcode::

       from kombu import Connection
       Connection("amqp://", connect_timout=1)
    ''')


@lru_cache(maxsize=None)
def engine(**options) -> Engine:
    return Engine(load_schema_set(()), options=RuleOptions(**options))


def positions(findings) -> list[tuple[int, int, str]]:
    return [(f.line, f.col + 1, f.code) for f in findings]


def lintkit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lintkit", *args], capture_output=True, text=True, cwd=cwd)


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8", "--select", "LK", "--no-show-source", *args],
                          capture_output=True, text=True, cwd=cwd)


# --------------------------------------------------------------------------- extraction


def test_prompts_continuations_and_output() -> None:
    lines = ["text", "  >>> a = (1,", "  ...      2)", "  (1, 2)", "  >>>", "  >>>x", "  ... orphan"]
    assert prompt_examples(lines, 10) == [[(11, 6, "a = (1,"), (12, 6, "     2)")], [(14, 6, "")]]


def test_markdown_blocks() -> None:
    blocks = document_blocks(MARKDOWN, "README.md")
    assert [[piece[0][:2] for piece in block] for block in blocks] == [
        [(4, 0)], [(12, 0)], [(28, 3)], [(39, 0)], [(18, 4), (19, 4), (20, 4), (22, 4), (35, 4)]]
    assert blocks[2] == [[(28, 3, "from kombu import Connection"), (29, 3, 'conn = Connection("amqp://",'),
                          (30, 3, "                  heartbeat=0)"), (31, 3, "conn.heartbeet = 5")]]


def test_rest_blocks() -> None:
    blocks = document_blocks(REST, "guide.rst")
    assert blocks == [[[(7, 3, "import redis"), (8, 3, "r = redis.Redis(socket_keepaliv=True)")]],
                      [[(26, 3, "from kombu import Connection"), (27, 3, 'Connection("amqp://", connect_timout=1)')]],
                      [[(12, 8, "from kombu import Connection")], [(13, 8, 'c = Connection("amqp://")')],
                       [(14, 8, "c.hearbeat = 1")]]]


# --------------------------------------------------------------------------- Markdown and reST


def test_markdown_findings_at_their_places() -> None:
    result = engine().check_text(MARKDOWN, "README.md", honour_noqa=True)
    assert result.error is None
    # 12 is not reported (`r` of another code block), 19's noqa holds, 31 is reported (a block in a
    # list item, fence indentation removed) and its heartbeat=0 (LK203) is not: documentation code is
    # judged like test code; 35 continues the session of the pycon block.
    assert positions(result.findings) == [(6, 17, "LK102"), (20, 27, "LK102"), (31, 9, "LK101"), (35, 7, "LK101")]
    assert all(f.fix is None for f in result.findings)


def test_rest_findings_at_their_places() -> None:
    result = engine().check_text(REST, "docs/guide.rst", honour_noqa=True)
    assert positions(result.findings) == [(8, 20, "LK102"), (14, 11, "LK101"), (27, 26, "LK102")]


def test_cli_checks_a_named_markdown_file_and_walks_only_included_ones(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(MARKDOWN)
    (tmp_path / "docs" / "guide.rst").write_text(REST)
    named = lintkit("check", "--isolated", "docs/guide.md", cwd=tmp_path)
    assert named.returncode == 1
    assert named.stdout.splitlines()[0] == ("docs/guide.md:6:17: LK102 'socket_keepaliv' is not a keyword "
                                            "argument of redis.Redis; did you mean 'socket_keepalive'?")
    assert [line.split(" ")[0] for line in named.stdout.splitlines()] == [
        "docs/guide.md:6:17:", "docs/guide.md:20:27:", "docs/guide.md:31:9:", "docs/guide.md:35:7:"]
    # Walking a directory: only *.py, unless extend-include names more.
    walked = lintkit("check", "--isolated", ".", cwd=tmp_path)
    assert walked.stdout == "" and "no Python files found" in walked.stderr
    flag = lintkit("check", "--isolated", "--extend-include", "docs/*.rst", ".", cwd=tmp_path)
    assert [line.split(" ")[0] for line in flag.stdout.splitlines()] == [
        "./docs/guide.rst:8:20:", "./docs/guide.rst:14:11:", "./docs/guide.rst:27:26:"]
    (tmp_path / "pyproject.toml").write_text('[tool.lintkit]\nextend-include = ["docs/**/*.md"]\n')
    configured = lintkit("check", ".", cwd=tmp_path)
    assert [line.split(" ")[0] for line in configured.stdout.splitlines()] == [
        "./docs/guide.md:6:17:", "./docs/guide.md:20:27:", "./docs/guide.md:31:9:", "./docs/guide.md:35:7:"]


def test_fix_leaves_markdown_alone(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text(MARKDOWN)
    completed = lintkit("fix", "--isolated", "README.md", cwd=tmp_path)
    assert completed.returncode == 1 and path.read_text() == MARKDOWN
    assert "[*]" not in completed.stdout and "Fixed" not in completed.stderr


# --------------------------------------------------------------------------- docstrings


def test_docstring_lk2_rules_when_test_code_ignore_is_empty() -> None:
    text = DOCSTRING_FIXTURE.read_text()
    default = positions(engine().check_text(text, "app.py").findings)
    everything = positions(engine(test_code_ignore=()).check_text(text, "app.py").findings)
    assert sorted(set(everything) - set(default)) == [(27, 46, "LK203"), (28, 15, "LK201")]


def test_doctests_off_in_the_engine() -> None:
    assert engine(doctests=False).check_text(DOCSTRING_FIXTURE.read_text(), "app.py").findings == []


def test_fix_applies_nothing_in_docstrings() -> None:
    data = DOCSTRING_FIXTURE.read_bytes()
    outcome = fix_source(engine(), data, "app.py")
    assert outcome.error is None and outcome.new_bytes is None and outcome.remaining
    assert all(f.fix is None for f in outcome.remaining)


def test_module_imports_reach_the_examples_but_not_the_other_way() -> None:
    text = textwrap.dedent('''\
        """
        >>> Connection("amqp://", hearbeat=1)
        """
        from kombu import Connection
        ''')
    assert positions(engine().check_text(text, "app.py").findings) == [(2, 27, "LK102")]
    # An example's import binds nothing in the module's own code.
    text = '"""\n>>> from kombu import Connection\n"""\nConnection("amqp://", hearbeat=1)\n'
    assert engine().check_text(text, "app.py").findings == []


def test_prefilter_sees_imports_in_examples_only() -> None:
    wants = engine().wants
    assert wants('"""\n    >>> from kombu import Connection\n"""\n')
    assert wants('"""\n    >>> import redis\n    >>> redis.Redis()\n"""\n'.encode())
    assert not wants('"""\n    >>> import redis\n"""\n')  # a plain import and no class named
    assert not wants('"""\n    >>> from collections import OrderedDict\n    >>> x = 1\n"""\n')
    assert not wants("import os\n'>>> kombu'\n")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_bytes(DOCSTRING_FIXTURE.read_bytes())
    return tmp_path


def test_doctests_key_in_cli_and_flake8(project: Path) -> None:
    expected = DOCSTRING_FIXTURE.with_suffix(".expected").read_text().splitlines()
    cli = lintkit("check", "app.py", cwd=project).stdout.splitlines()
    assert [line.replace(" [*]", "") for line in cli] == [f"app.py:{line}" for line in expected]
    assert flake8("app.py", cwd=project).stdout.splitlines() == [f"app.py:{line}" for line in expected]
    (project / "pyproject.toml").write_text("[tool.lintkit]\ndoctests = false\n")
    assert lintkit("check", "app.py", cwd=project).stdout == ""
    assert flake8("app.py", cwd=project).stdout == ""
    assert lintkit("check", "--doctests", "app.py", cwd=project).stdout.splitlines() == cli
    (project / "pyproject.toml").write_text("[tool.lintkit]\ndoctests = true\n")
    assert lintkit("check", "--no-doctests", "app.py", cwd=project).stdout == ""
    assert flake8("--lintkit-doctests", "app.py", cwd=project).stdout.splitlines() == [
        f"app.py:{line}" for line in expected]
    (project / "pyproject.toml").write_text("[tool.lintkit]\ndoctests = 0\n")
    assert "doctests: expected true or false" in lintkit("check", "app.py", cwd=project).stderr


def test_non_ascii_and_crlf_keep_exact_columns() -> None:
    text = ('"""Café → Ünïcode.\r\n\r\n    >>> c = Connection("ü", hearbeat=1)\r\n"""\r\n'
            "from kombu import Connection\r\n")
    assert positions(engine().check_text(text, "app.py").findings) == [(3, 29, "LK102")]
    markdown = "Café\r\n\r\n```python\r\nfrom kombu import Connection\r\nConnection('é', hearbeat=1)\r\n```\r\n"
    assert positions(engine().check_text(markdown, "README.md").findings) == [(5, 17, "LK102")]


@pytest.mark.parametrize("text", [
    "```python\nfrom kombu import Connection\nConnection('a', hearbeat=1)\n",  # fence never closed
    "```\n```python\n```\n",
    ".. code-block:: python",
    ".. code-block:: python\n   :linenos:\n",
    ">>>\n... \n>>> from kombu import (\n",
    "```pycon\n>>> " + "(" * 500 + "\n```\n",  # too deeply nested to parse
    "```python\nfrom kombu import Connection\n" + "x = " + "[" * 90 + "]" * 90 + "\n```\n",
    "\x00```python\nimport kombu\n```",
])
def test_odd_documents_never_fail(text: str) -> None:
    for name in ("doc.md", "doc.rst"):
        result = engine().check_text(text, name, honour_noqa=True)
        assert result.error is None


def test_unclosed_fence_runs_to_the_end() -> None:
    text = "```python\nfrom kombu import Connection\nConnection('a', hearbeat=1)\n"
    assert positions(engine().check_text(text, "doc.md").findings) == [(3, 17, "LK102")]


@pytest.mark.parametrize("text", [
    '""">>> from kombu import Connection"""\n',  # the opening line holds no example
    '"""\n>>> x = (\n"""\n',  # an example that never parses
    'x = 1\n"""\n>>> from kombu import Connection\n>>> Connection("a", hearbeat=1)\n"""\n',  # not a docstring
    '"""\n>>>from kombu import Connection\n>>>Connection("a", hearbeat=1)\n"""\n',  # no blank after >>>
    'b"""\n>>> from kombu import Connection\n>>> Connection("a", hearbeat=1)\n"""\n',  # bytes
])
def test_what_is_not_a_docstring_example(text: str) -> None:
    assert engine().check_text(text, "app.py").findings == []


def test_python2_file_docstrings_are_checked_too() -> None:
    text = '"""\n>>> from kombu import Connection\n>>> Connection("a", hearbeat=1)\n"""\nprint "hello"\n'
    result = engine().check_text(text, "legacy.py")
    assert result.warning is not None and positions(result.findings) == [(3, 21, "LK102")]


@pytest.mark.parametrize("code", [check.code for check in ALL_CHECKS if check.code.startswith("LK1")])
def test_each_typo_rule_page_shows_its_rule(code: str) -> None:
    """The rule pages' Markdown examples, checked as documentation: the wrong one is found, the right
    ones are not (LK2xx pages report nothing under the default test-code policy)."""
    page = ROOT / "docs" / "rules" / f"{code}.md"
    findings = engine().check_text(page.read_text(encoding="utf-8"), str(page), honour_noqa=True).findings
    assert {finding.code for finding in findings} == {code}
