"""Version ranges of names (schema `history`): the loader, the verdicts, and the source reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.analysis.context import RuleOptions
from lintkit.engine import Engine
from lintkit.generators.library_source import SourceTree
from lintkit.schemas.registry import SchemaSet, load_schema_set
from lintkit.schemas.schema import load_schema_file
from lintkit.project.versions import ProjectVersions
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

ACME_CLASS = ACME_LIBRARY + """
[[class]]
name = "acme.Client"
attributes = ["timeout", "options"]
kwargs = ["host", "heartbeat", "options"]
option_keys = { options = ["KEEPIDLE", "USER_TIMEOUT"] }
"""


@pytest.mark.parametrize(("history", "problem"), [
    ('[class.history.kwargs]\nheartbeat = { removed_in = "2.0" }', "must not be in the kwargs"),
    ('[class.history.kwargs]\nbeat = { since = "0.5" }', "must be in the kwargs"),
    ('[class.history.kwargs]\nbeat = { removed_in = "1.0", renamed_to = "beats" }', "renamed_to: must be in the kwargs"),
    ('[class.history.kwargs]\nbeat = { removed_in = "soon" }', "must be a release number"),
    ('[class.history.kwargs]\nbeat = { since = "0.9", removed_in = "0.5" }', "since < deprecated_in < removed_in"),
    ('[class.history.kwargs]\nbeat = { renamed_to = "heartbeat" }', "needs since or removed_in"),
    ('[class.history.kwargs]\nbeat = { gone_in = "1.0" }', "unknown key 'gone_in'"),
    ('[class.history.methods]\nbeat = { since = "1.0" }', "must be one of kwargs, attributes, option_keys"),
    ('[class.history.option_keys.settings]\nX = { since = "1.0" }', "needs the item's option_keys.settings"),
    ('[class.history.unknown_attributes]\nnoisy = { removed_in = "1.0" }', "must be one of raises, silent"),
    ('[class.history.unknown_kwargs]\nswallows = { removed_in = "1.0", renamed_to = "x" }',
     "takes only since and removed_in"),
])
def test_the_loader_rejects_a_range_that_contradicts_the_lists(tmp_path: Path, history: str, problem: str) -> None:
    assert problem in schema_load_error(tmp_path, ACME_CLASS + history)


RANGES = ACME_CLASS + """
[class.history.kwargs]
heartbeat_interval = { deprecated_in = "0.5", renamed_to = "heartbeat", removed_in = "1.0" }
heartbeat = { since = "0.5" }
[class.history.attributes]
keepalive = { removed_in = "1.0", note = "pass options={'KEEPIDLE': 60}" }
[class.history.option_keys.options]
KEEPALIVE = { removed_in = "1.0" }
USER_TIMEOUT = { since = "0.8" }
"""

CODE = """import acme

client = acme.Client(host="h", heartbeat_interval=30, options={"KEEPALIVE": 1, "USER_TIMEOUT": 5})
client.keepalive = True
client.options = {"KEEPALIVE": 1}
"""


def _findings(tmp_path: Path, code: str, pins: str | None, use_installed: bool = False) -> list[str]:
    schemas = SchemaSet([*load_schema_set().libraries, load_schema_file(write_schema(tmp_path, RANGES))])
    project = tmp_path / f"project{len(list(tmp_path.glob('project*')))}"
    (project / ".git").mkdir(parents=True)
    if pins is not None:
        (project / "requirements.txt").write_text(pins, encoding="utf-8")
    engine = Engine(schemas, ("LK101", "LK102", "LK103"),
                    options=RuleOptions(versions=ProjectVersions(use_installed=use_installed)))
    return [f"{f.line}:{f.col + 1}: {f.code} {f.message}"
            for f in engine.check_text(code, str(project / "app.py")).findings]


def test_names_of_the_pinned_old_version_are_valid(tmp_path: Path) -> None:
    assert _findings(tmp_path, CODE, "acme-client==0.9\n") == []


def test_names_gone_from_the_pinned_version_say_when_and_what_happens(tmp_path: Path) -> None:
    assert _findings(tmp_path, CODE, "acme-client==1.2\n") == [
        "3:32: LK102 'heartbeat_interval' was renamed 'heartbeat' in acme 0.5 and removed in 1.0: TypeError at "
        "the call",
        "3:64: LK103 'KEEPALIVE' was removed in acme 1.0: acme never applies it",
        "4:8: LK101 'keepalive' was removed in acme 1.0: acme never reads it; pass options={'KEEPIDLE': 60}",
        "5:19: LK103 'KEEPALIVE' was removed in acme 1.0: acme never applies it",
    ]


def test_a_name_newer_than_the_pinned_version(tmp_path: Path) -> None:
    assert _findings(tmp_path, 'import acme\nacme.Client(heartbeat=1, options={"USER_TIMEOUT": 5})\n',
                     "acme-client==0.4\n") == [
        "2:13: LK102 'heartbeat' was added in acme 0.5, after the version this project uses: TypeError at the call",
        "2:35: LK103 'USER_TIMEOUT' was added in acme 0.8, after the version this project uses: acme never "
        "applies it",
    ]


def test_version_unknown_one_line_says_where_the_name_works(tmp_path: Path) -> None:
    found = _findings(tmp_path, 'import acme\nacme.Client(heartbeat_interval=30, heartbeat=None)\n', None)
    assert found == ["2:13: LK102 'heartbeat_interval' works only with acme<1.0 (renamed 'heartbeat' in 0.5); "
                     "TypeError at the call after that"]


def test_version_unknown_names_of_the_schemas_version_stay_valid(tmp_path: Path) -> None:
    assert _findings(tmp_path, 'import acme\nacme.Client(heartbeat=1, options={"USER_TIMEOUT": 5})\n', None) == []


def test_code_that_tests_the_version_handles_both(tmp_path: Path) -> None:
    code = ("import acme\nclient = acme.Client()\nif acme.__version__ < '1.0':\n"
            "    client.keepalive = True\n    acme.Client(heartbeat_interval=30)\n")
    assert _findings(tmp_path, code, "acme-client>=0.4\n") == []


def test_the_reader_finds_keywords_read_from_kwargs_and_passed_to_a_base(tmp_path: Path) -> None:
    package = tmp_path / "lib"
    package.mkdir()
    (package / "__init__.py").write_text("from .core import Client\n", encoding="utf-8")
    (package / "core.py").write_text('''
class Base:
    __slots__ = ("_host", "tag")
    def __init__(self, host=None, *, port=1):
        self.ready = True
    @property
    def level(self):
        return 1
    @level.setter
    def level(self, value):
        pass

class Client(Base):
    def __init__(self, name, **options):
        if "beat" in options:
            pass
        options.pop("heartbeat_interval", None)
        super().__init__(**options)
''', encoding="utf-8")
    client = SourceTree(tmp_path).find_class("lib.Client")
    assert client.qualname == "lib.core.Client"
    assert client.keywords().names == {"name", "beat", "heartbeat_interval", "host", "port"}
    assert client.attributes() == {"tag", "ready", "level"}


def test_suggestions_come_from_the_names_of_the_projects_version(tmp_path: Path) -> None:
    code = 'import acme\nacme.Client(heartbeat_intervall=30)\n'
    assert _findings(tmp_path, code, "acme-client==0.9\n") == [
        "2:13: LK102 'heartbeat_intervall' is not a keyword argument of acme.Client; did you mean 'heartbeat_interval'?"]
    assert _findings(tmp_path, code, "acme-client==1.2\n") == [
        "2:13: LK102 'heartbeat_intervall' is not a keyword argument of acme.Client"]


def test_fetch_unpacks_a_cached_sdist_or_wheel_and_never_guesses(tmp_path: Path, monkeypatch) -> None:
    import io
    import tarfile
    import zipfile

    from lintkit.generators.library_source import fetch

    source = b"class Client:\n    def __init__(self, host, heartbeat=None):\n        pass\n"
    with tarfile.open(tmp_path / "acme_client-1.0.tar.gz", "w:gz") as sdist:
        for name, data in (("acme_client-1.0/src/acme/__init__.py", source), ("acme_client-1.0/setup.py", b"")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            sdist.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(tmp_path / "acme_client-1.1-py3-none-any.whl", "w") as wheel:
        wheel.writestr("acme/__init__.py", source.replace(b"heartbeat", b"beat"))
        wheel.writestr("acme_client-1.1.dist-info/METADATA", "")
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # nothing is downloaded: only the cache answers
    old, new = fetch("acme-client", "1.0", cache=tmp_path), fetch("acme-client", "1.1", cache=tmp_path)
    assert SourceTree(old).find_class("acme.Client").keywords().names == {"host", "heartbeat"}
    assert SourceTree(new).find_class("acme.Client").keywords().names == {"host", "beat"}
    assert fetch("acme-client", "1.0", cache=tmp_path) == old  # unpacked once
    assert fetch("acme-client", "1.2", cache=tmp_path, timeout=30) is None


def test_method_kwargs_must_name_a_method(tmp_path: Path) -> None:
    assert "method_kwargs.connect: must be one of the class's methods" in schema_load_error(
        tmp_path, ACME_LIBRARY + '[[class]]\nname = "acme.Client"\nmethod_kwargs = { connect = ["host"] }\n')


def test_method_keywords_follow_the_version_and_local_overrides(tmp_path: Path) -> None:
    schema = ACME_LIBRARY + """
[[class]]
name = "acme.Client"
methods = ["connect"]
method_kwargs = { connect = ["host", "timeout"] }
[class.history.method_kwargs.connect]
gss = { removed_in = "2.0" }
"""
    schemas = SchemaSet([*load_schema_set().libraries, load_schema_file(write_schema(tmp_path, schema))])
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("acme-client==2.1\n", encoding="utf-8")
    code = ("import acme\n\nclass Mine(acme.Client):\n    def connect(self, **options):\n        pass\n\n"
            "acme.Client().connect(host='h', gss=True, timout=3)\nMine().connect(gss=True)\n")
    engine = Engine(schemas, ("LK102",), options=RuleOptions(versions=ProjectVersions(use_installed=False)))
    assert [f"{f.line}:{f.col + 1}: {f.message}" for f in engine.check_text(code, str(tmp_path / "app.py")).findings] == [
        "7:33: 'gss' was removed in acme 2.0: TypeError at the call",
        "7:43: 'timout' is not a keyword argument of acme.Client.connect(); did you mean 'timeout'?",
    ]


def test_url_query_key_ranges_need_the_class_settings_keys(tmp_path: Path) -> None:
    assert "needs the item's settings_keys" in schema_load_error(
        tmp_path, ACME_CLASS + '[class.history.settings_keys]\nbeat = { since = "1.0" }\n')
    assert "must be one of ignored, raises" in schema_load_error(
        tmp_path, ACME_CLASS + '[class.history.unknown_settings_keys]\nswallows = { removed_in = "1.0" }\n')
