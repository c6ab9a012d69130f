"""`lintkit schema generate --from-source`: a draft read from a library's files, nothing imported."""

from __future__ import annotations

import inspect
import os
import textwrap
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from lintkit.frontends.cli import main
from lintkit.generators import source_draft
from lintkit.generators.library_source import SourceTree
from lintkit.generators.schema_draft import DraftError, Library, render_draft
from lintkit.schemas.schema import parse_schema
from lintkit.schemas.toml_cache import load_toml

PACKAGE = {
    "acme_src/__init__.py": """
        from othertop import Thing
        from .client import Base, Client, ClientError, Slotted
        """,
    "acme_src/client.py": """
        import module_that_is_not_installed  # the draft never imports


        class ClientError(Exception):
            pass


        class Base:
            def __init__(self, host, port=22, **kwargs):
                self.host = host
                self.heartbeat = kwargs.pop("heartbeat", 0)
                if kwargs:
                    raise TypeError(f"unknown: {kwargs}")

            def close(self):
                pass


        class Client(Base):
            def __init__(self, host, keepalive=30, **kwargs):
                super().__init__(host, **kwargs)
                self.keepalive = keepalive

            def chdir(self, path):
                pass

            cwd = chdir

            @property
            def timeout(self):
                return 1

            @timeout.setter
            def timeout(self, value):
                pass

            @property
            def pwd(self):
                return "/"


        class Slotted:
            __slots__ = ("url",)

            def __init__(self, url, **options):
                self.url = url
                self.retries = options.get("retries")
        """,
    "othertop/__init__.py": """
        class Thing:
            pass
        """,
}


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in PACKAGE.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    library = Library("acme_src", "acme-src", "1.0", [], importable=False)
    monkeypatch.setattr(source_draft, "_locate", lambda target: (library, SourceTree(tmp_path)))
    return tmp_path


def test_the_public_classes_are_drafted_from_the_files(acme: Path) -> None:
    draft = source_draft.draft_from_source("acme-src")
    by_name = {cls.name: cls for cls in draft.classes}
    # Exceptions and another distribution's re-exported class are left out.
    assert sorted(by_name) == ["acme_src.client.Base", "acme_src.client.Client", "acme_src.client.Slotted"]
    client = by_name["acme_src.client.Client"]
    assert client.aliases == ["acme_src.Client"] and client.bases == ["acme_src.client.Base"]
    assert client.attributes == {"keepalive", "timeout"}  # its own: host and heartbeat come from the base
    assert client.methods == {"chdir", "cwd"}  # `cwd = chdir` is a method; the base's close() is not repeated
    # `super().__init__(host, **kwargs)`: the base's keywords too, and its refusal of others.
    assert (client.keywords.names, client.keywords.policy) == ({"host", "keepalive", "port", "heartbeat"}, "raises")
    base = by_name["acme_src.client.Base"]
    assert (base.keywords.names, base.keywords.policy) == ({"host", "port", "heartbeat"}, "raises")
    slotted = by_name["acme_src.client.Slotted"]
    assert slotted.unknown_attributes == "raises"
    assert (slotted.keywords.names, slotted.keywords.policy, slotted.keywords.certain) == \
        ({"url", "retries"}, "swallows", False)
    # A literal default of the constructor is shown; one read from **kwargs is left to a person.
    assert [(hint.name, hint.setters, hint.default) for hint in client.knobs] == \
        [("heartbeat", ["kwarg"], inspect.Parameter.empty), ("keepalive", ["kwarg", "attribute"], 30)]


def test_the_draft_loads_and_says_it_was_not_imported(acme: Path) -> None:
    text = render_draft(source_draft.draft_from_source("acme-src"), "lintkit schema generate acme-src --from-source")
    assert "importable = false" in text and "nothing imported" in text
    schema = parse_schema(load_toml(text.encode()), "acme.toml")
    assert not schema.importable
    assert {cls.name for cls in schema.classes} == {"acme_src.client.Base", "acme_src.client.Client",
                                                    "acme_src.client.Slotted"}


def test_named_classes_and_factories(acme: Path) -> None:
    draft = source_draft.draft_from_source("acme-src", ["acme_src.Client"],
                                           ["acme_src.client.Client.chdir=acme_src.Client"])
    assert [cls.name for cls in draft.classes] == ["acme_src.client.Client"]
    assert [(f.name, f.returns, f.keywords.names) for f in draft.factories] == \
        [("acme_src.client.Client.chdir", "acme_src.Client", {"path"})]
    with pytest.raises(DraftError, match="say which class it returns"):
        source_draft.draft_from_source("acme-src", [], ["acme_src.client.Client.chdir"])
    with pytest.raises(DraftError, match="no such class"):
        source_draft.draft_from_source("acme-src", ["acme_src.Nope"])


def test_pysftp_drafts_without_importing(capsys: pytest.CaptureFixture) -> None:
    """pysftp 0.2.9 cannot be imported with paramiko >= 4.0; its files can be read."""
    try:
        version("pysftp")
    except PackageNotFoundError:
        if os.environ.get("LINTKIT_REQUIRE_LIBRARIES"):
            pytest.fail("pysftp is not installed (pip install -e '.[libraries]')")
        pytest.skip("pysftp is not installed (pip install -e '.[libraries]')")
    assert main(["schema", "generate", "pysftp", "--from-source"]) == 0
    schema = parse_schema(load_toml(capsys.readouterr().out.encode()), "pysftp.toml")
    assert {cls.name for cls in schema.classes} >= {"pysftp.Connection", "pysftp.CnOpts"}
    assert not any(cls.name.startswith("paramiko.") for cls in schema.classes)  # re-exported, not pysftp's


def test_an_unknown_target_is_an_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["schema", "generate", "no_such_library_anywhere", "--from-source"]) == 2
    assert "neither an installed distribution nor a module of one" in capsys.readouterr().err
