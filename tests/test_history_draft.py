"""`lintkit schema generate --versions`: history tables drafted from the source of several releases.

The releases are read with `lintkit.generators.library_source` (downloaded once into its cache, never
installed); a release that is neither cached nor downloadable skips the test.  The drafted
ranges must equal the hand-written ones of the bundled schemas, which tests/test_version_drift.py
checks against the same releases.
"""

from __future__ import annotations

import pytest

from lintkit.frontends.cli import main
from lintkit.generators.history_draft import (DraftedRange, ReleaseMissing, class_history, ranges, read_releases,
                                   render_history)
from lintkit.generators.library_source import SourceTree, fetch
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import parse_schema
from lintkit.schemas.toml_cache import load_toml

SCHEMAS = load_schema_set()
PIKA = ["0.10.0", "0.11.0", "0.11.1", "1.0.0"]  # 0.11.1 added tcp_options
PIKA_CLASSES = ["pika.connection.ConnectionParameters", "pika.connection.URLParameters"]
PARAMIKO = ["2.4.2", "2.5.1", "2.6.0", "2.8.1", "2.9.0", "2.11.1", "2.12.0", "3.0.0", "3.1.0", "3.2.0", "3.3.2",
            "3.4.0", "4.0.0", "5.0.0"]


def _releases_or_skip(distribution: str, versions: list[str]) -> None:
    pytest.importorskip(distribution)
    for version in versions:
        if fetch(distribution, version, timeout=60) is None:
            pytest.skip(f"{distribution}=={version} is not cached and cannot be downloaded")


def _hand_written(qualname: str) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """kind -> name -> (since, removed_in) of a bundled class's history (the names' ranges only)."""
    table: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    for entry in SCHEMAS.classes[qualname].history:
        if not entry.kind.startswith("unknown_"):
            table.setdefault(entry.kind, {})[entry.name] = (entry.since, entry.removed_in)
    return table


def _drafted(history) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    return {kind: {e.name: (e.since, e.removed_in) for e in entries} for kind, entries in history.items()}


def test_pika_history_drafted_from_its_releases_loads_and_equals_the_hand_written(capsys) -> None:
    _releases_or_skip("pika", PIKA)
    assert main(["schema", "generate", "pika", *(f"--class={c}" for c in PIKA_CLASSES),
                 "--versions", ",".join(PIKA)]) == 0
    text = capsys.readouterr().out
    draft = parse_schema(load_toml(text.encode()), "draft.toml")  # the loader accepts it as it is
    classes = {cls.name: cls for cls in draft.classes}
    for qualname in PIKA_CLASSES:
        drafted = {kind: {e.name: (e.since, e.removed_in) for e in classes[qualname].history
                          if e.kind == kind} for kind in ("kwargs", "attributes")}
        expected = {k: v for k, v in _hand_written(qualname).items() if k in ("kwargs", "attributes")}
        assert {k: v for k, v in drafted.items() if v} == expected, qualname
    # The hand-written renamed_to / deprecated_in are a person's: the draft leaves them as TODO.
    assert "renamed_to = " not in text.replace("# TODO: renamed_to", "")
    assert "TODO: add renamed_to, deprecated_in and note" in text


def test_paramiko_connect_and_transport_keywords_equal_the_hand_written() -> None:
    _releases_or_skip("paramiko", PARAMIKO)
    import paramiko

    releases = read_releases("paramiko", PARAMIKO, (paramiko.__version__, SourceTree.installed("paramiko")))
    for qualname, kind in (("paramiko.client.SSHClient", "method_kwargs.connect"),
                           ("paramiko.transport.Transport", "kwargs")):
        drafted = _drafted(class_history(releases, qualname, [kind]))
        assert drafted == {kind: _hand_written(qualname)[kind]}, qualname


def test_a_release_that_cannot_be_had_is_an_error(capsys, tmp_path, monkeypatch) -> None:
    pytest.importorskip("pika")
    monkeypatch.setattr("lintkit.generators.history_draft.fetch", lambda distribution, version: None)
    assert main(["schema", "generate", "pika", "--class", PIKA_CLASSES[0], "--versions", "0.10.0"]) == 2
    assert "pika==0.10.0 is not cached and cannot be downloaded" in capsys.readouterr().err
    with pytest.raises(ReleaseMissing):
        read_releases("pika", ["0.10.0"], fetcher=lambda distribution, version: None)


def test_ranges_since_removed_and_gaps() -> None:
    presence = [("1.0", frozenset({"a", "old", "back"})), ("2.0", frozenset({"a", "new"})),
                ("3.0", frozenset({"a", "new", "back", "late"}))]
    assert ranges(presence) == [
        DraftedRange("back", None, "2.0", gaps=True),
        DraftedRange("late", "3.0"),
        DraftedRange("new", "2.0"),
        DraftedRange("old", None, "2.0"),
    ]


def test_a_rename_is_only_suggested_when_one_name_leaves_as_one_arrives() -> None:
    one = ranges([("1.0", frozenset({"heartbeat_interval"})), ("2.0", frozenset({"heartbeat"}))])
    assert [e.rename_candidate for e in one] == [None, "heartbeat"]
    two = ranges([("1.0", frozenset({"a", "b"})), ("2.0", frozenset({"c"}))])
    assert all(e.rename_candidate is None for e in two)
    lines = render_history("m.C", {"kwargs": one}, ["1.0", "2.0"], {"kwargs": {"heartbeat"}})
    assert 'heartbeat_interval = { removed_in = "2.0" }  # TODO: renamed_to = "heartbeat"?' in "\n".join(lines)


def test_an_entry_the_loader_would_refuse_is_commented_out() -> None:
    entries = [DraftedRange("gone", None, "2.0"), DraftedRange("added", "2.0")]
    lines = render_history("m.C", {"kwargs": entries}, ["1.0", "2.0"], {"kwargs": {"gone"}})
    assert '# gone = { removed_in = "2.0" }  # TODO: the drafted kwargs has it; read the installed source' in lines
    assert '# added = { since = "2.0" }  # TODO: the drafted kwargs lacks it; read the installed source' in lines


def test_a_whole_library_draft_with_versions_loads_without_refused_entries(capsys) -> None:
    """redis's connection classes inherit from drafted bases: a subclass's draft does not range
    the names its bases list (the loader checks a class's own attributes)."""
    versions = ["4.6.0", "5.0.0", "6.0.0"]
    _releases_or_skip("redis", versions)
    assert main(["schema", "generate", "redis", "--versions", ",".join(versions)]) == 0
    text = capsys.readouterr().out
    draft = parse_schema(load_toml(text.encode()), "draft.toml")
    assert any(cls.history for cls in draft.classes)
    assert "TODO: the drafted" not in text


def test_method_keywords_drafted_with_the_cli_load_and_equal_the_hand_written(capsys) -> None:
    """`--method paramiko.client.SSHClient.connect`: the method's `method_kwargs` list from the installed
    source and its `[class.history.method_kwargs.connect]`, as in the bundled schema."""
    _releases_or_skip("paramiko", PARAMIKO)
    qualname = "paramiko.client.SSHClient"
    assert main(["schema", "generate", "paramiko", "--class", qualname, "--method", f"{qualname}.connect",
                 "--versions", ",".join(PARAMIKO)]) == 0
    draft = parse_schema(load_toml(capsys.readouterr().out.encode()), "draft.toml")
    (cls,) = draft.classes
    assert cls.method_kwargs["connect"] == SCHEMAS.classes[qualname].method_kwargs["connect"]
    drafted = {e.name: (e.since, e.removed_in) for e in cls.history if e.kind == "method_kwargs.connect"}
    assert drafted == _hand_written(qualname)["method_kwargs.connect"]


def test_a_factory_history_drafted_with_the_cli_equals_the_hand_written(capsys) -> None:
    versions = ["4.6.0", "5.0.0", "6.0.0"]
    _releases_or_skip("redis", versions)
    factory = "redis.asyncio.client.Redis.from_url"
    assert main(["schema", "generate", "redis", "--class", "redis.asyncio.client.Redis", "--factory", factory,
                 "--versions", ",".join(versions)]) == 0
    draft = parse_schema(load_toml(capsys.readouterr().out.encode()), "draft.toml")
    (drafted,) = draft.factories
    expected = {e.name: (e.since, e.removed_in) for e in SCHEMAS.factories[factory].history}
    assert {e.name: (e.since, e.removed_in) for e in drafted.history} == expected == {
        "auto_close_connection_pool": ("5.0.0", None)}


def test_a_method_of_a_class_not_drafted_is_an_error(capsys) -> None:
    pytest.importorskip("paramiko")
    assert main(["schema", "generate", "paramiko", "--class", "paramiko.client.SSHClient", "--method",
                 "paramiko.transport.Transport.connect", "--versions", "5.0.0"]) == 2
    assert "paramiko.transport.Transport is not a drafted class" in capsys.readouterr().err
