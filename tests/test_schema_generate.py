"""`lintkit schema generate`: drafts that the loader accepts, with the names of the real library.

The generator imports the library it drafts; a test whose library is not installed skips.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

from lintkit.frontends.cli import main
from lintkit.generators.library_names import NAME_LISTS, names_of
from lintkit.generators.library_view import class_members, keywords_fate, resolve
from lintkit.schemas.registry import load_schema_set
from lintkit.schemas.schema import parse_schema
from lintkit.generators.schema_draft import draft_schema, keywords_of, render_draft
from lintkit.schemas.toml_cache import load_toml

SCHEMAS = load_schema_set()


def generate(capsys: pytest.CaptureFixture, *argv: str) -> str:
    assert main(["schema", "generate", *argv]) == 0
    return capsys.readouterr().out


def bundled_library(name: str):
    return next(lib for lib in SCHEMAS.libraries if lib.name == name)


def test_pika_draft_loads_and_has_the_bundled_names(capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("pika")
    bundled = bundled_library("pika")
    text = generate(capsys, "pika", *(f"--class={cls.name}" for cls in bundled.classes))
    draft = parse_schema(load_toml(text.encode()), "draft.toml")  # the TOML reader, then the loader
    assert (draft.name, draft.distribution, draft.version) == ("pika", "pika", bundled.version)
    drafted = {cls.name: cls for cls in draft.classes}
    assert set(drafted) == {cls.name for cls in bundled.classes}
    for cls in bundled.classes:
        mine = drafted[cls.name]
        assert mine.kwargs == cls.kwargs, cls.name
        assert mine.unknown_kwargs == cls.unknown_kwargs, cls.name
        assert mine.unknown_attributes == cls.unknown_attributes, cls.name
        assert set(mine.aliases) <= set(cls.aliases) | {cls.name}
        own_attributes = SCHEMAS.attributes(cls)
        assert (mine.attributes | {a for b in mine.bases for a in drafted[b].attributes}) == own_attributes, cls.name
        assert mine.option_keys == cls.option_keys, cls.name  # from pika's _SUPPORTED_TCP_OPTIONS
    assert set(drafted["pika.adapters.select_connection.SelectConnection"].bases) == set()


def test_knobs_are_left_for_a_person_and_load_once_filled(capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("pika")
    text = generate(capsys, "pika", "--class", "pika.connection.ConnectionParameters")
    assert "# TODO knob: heartbeat looks like a heartbeat setting" in text
    block = re.search(r"^# \[\[class\.knob\]\]\n# concept = \"heartbeat\"\n(?:# .*\n)*", text, re.MULTILINE).group(0)
    assert '# kwarg = "heartbeat"\n# attribute = "heartbeat"\n' in block
    # A person fills the TODO facts and uncomments the block: the loader accepts the knob.
    filled = block.replace("# default = TODO", '# default = "none"').replace("# off = [TODO]", "# off = [0]")
    filled = re.sub(r"^# ", "", filled, flags=re.MULTILINE)
    schema = parse_schema(load_toml(text.replace(block, filled).encode()), "filled.toml")
    knob = schema.classes[0].knobs[0]
    assert (knob.concept, knob.kwarg, knob.attribute, knob.unit, knob.off) == ("heartbeat", "heartbeat", "heartbeat",
                                                                               "s", (0,))


def test_whole_library_draft_loads(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    pytest.importorskip("redis")
    out = tmp_path / "redis.toml"
    assert main(["schema", "generate", "redis", "-o", str(out)]) == 0
    assert "fill the TODO knob facts" in capsys.readouterr().err
    draft = parse_schema(load_toml(out.read_bytes()), str(out))
    names = {cls.name for cls in draft.classes}
    assert {"redis.client.Redis", "redis.connection.ConnectionPool"} <= names
    redis = next(cls for cls in draft.classes if cls.name == "redis.client.Redis")
    assert "redis.Redis" in redis.aliases and "socket_keepalive" in redis.kwargs
    # classmethods that return `cls(...)` are factories of their class
    assert any(fac.name == "redis.client.Redis.from_url" for fac in draft.factories)


def test_a_package_without_its_own_api_is_drafted_from_its_submodules(capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("paho.mqtt.client")
    draft = parse_schema(load_toml(generate(capsys, "paho-mqtt").encode()), "paho.toml")
    assert draft.name == "paho.mqtt"  # `paho` defines nothing: its subpackage's modules are drafted
    client = next(cls for cls in draft.classes if cls.name == "paho.mqtt.client.Client")
    assert client.kwargs == SCHEMAS.lookup("paho.mqtt.client.Client").kwargs


def test_factory_returns_from_the_command_line(capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("paramiko")
    text = generate(capsys, "paramiko", "--class", "paramiko.transport.Transport",
                    "--factory", "paramiko.client.SSHClient.get_transport=paramiko.transport.Transport")
    draft = parse_schema(load_toml(text.encode()), "draft.toml")
    assert [(f.name, f.returns, f.kwargs) for f in draft.factories] == [
        ("paramiko.client.SSHClient.get_transport", "paramiko.transport.Transport", frozenset())]


def test_a_factory_without_a_known_return_is_an_error(capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("paramiko")
    assert main(["schema", "generate", "paramiko", "--factory", "paramiko.client.SSHClient.get_transport"]) == 2
    assert "--factory paramiko.client.SSHClient.get_transport=CLASS" in capsys.readouterr().err


def test_an_unknown_target_is_an_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["schema", "generate", "lintkit_no_such_library"]) == 2
    assert "neither an installed distribution nor an importable module" in capsys.readouterr().err


def test_a_standard_library_module(capsys: pytest.CaptureFixture) -> None:
    text = generate(capsys, "smtplib", "--class", "smtplib.SMTP")
    draft = parse_schema(load_toml(text.encode()), "draft.toml")
    assert (draft.distribution, draft.version) == ("cpython", f"{sys.version_info.major}.{sys.version_info.minor}")
    bundled = SCHEMAS.lookup("smtplib.SMTP")
    assert draft.classes[0].kwargs == bundled.kwargs
    assert draft.classes[0].attributes == SCHEMAS.attributes(bundled)


# --------------------------------------------------------------------------- where **kwargs go

SAMPLE = '''
class Base:
    def __init__(self, host="h", port=1, **kwargs):
        if kwargs:
            raise TypeError(f"unexpected {kwargs}")
        self.host = host


class Forwards(Base):
    def __init__(self, heartbeat=None, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat = heartbeat


class Reads:
    def __init__(self, **options):
        self.timeout = options.get("timeout")
        self.retries = options.pop("retries", 3)


class Ignores:
    def __init__(self, url, **kwargs):
        self.url = url


class Connection:
    def __init__(self, keepalive=False):
        self.keepalive = keepalive


class Pool:
    connection_class = Connection

    def __init__(self, size=1, **connection_kwargs):
        self.connection_kwargs = connection_kwargs

    def make(self):
        return self.connection_class(**self.connection_kwargs)


class Stores:
    def __init__(self, **kw):
        self._kw = kw


def make_pool(url, **kwargs) -> Pool:
    return Pool(**kwargs)


class Clones:
    def __init__(self, host=None, heartbeat=0):
        self.host = host

    def info(self):
        return {"host": self.host}

    def clone(self, **kwargs):
        return self.__class__(**dict(self.info(), **kwargs))


class CopyPool:
    connection_class = Connection

    def __init__(self, **connection_kwargs):
        self._connection_kwargs = connection_kwargs

    @property
    def connection_kwargs(self):
        return self._connection_kwargs

    def make(self):
        kwargs = dict(self.connection_kwargs)
        return self.connection_class(**kwargs)

    @classmethod
    def from_url(cls, url, **kwargs):
        return cls(**kwargs)


class Validates:
    def __init__(self, **kwargs):
        self._check(kwargs)

    def _check(self, given):
        for key in given:
            raise TypeError(key)


def from_url(url, **kwargs):
    from lintkit_sample_lib import CopyPool as Imported

    return Imported.from_url(url, **kwargs)
'''


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "lintkit_sample_lib.py").write_text(textwrap.dedent(SAMPLE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lintkit_sample_lib"
    sys.modules.pop("lintkit_sample_lib", None)


@pytest.mark.parametrize(("item", "names", "policy"), [
    ("Base", {"host", "port"}, "raises"),                                  # `if kwargs: raise`
    ("Forwards", {"heartbeat", "host", "port"}, "raises"),                 # super().__init__(**kwargs)
    ("Reads", {"timeout", "retries"}, "swallows"),                         # options.get()/pop()
    ("Ignores", {"url"}, "swallows"),                                      # never read
    ("Pool", {"size", "keepalive"}, "deferred"),                           # stored, later spread
    ("make_pool", {"url", "size", "keepalive"}, "deferred"),               # a factory passing them on
    ("Clones.clone", {"host", "heartbeat"}, "raises"),                     # self.__class__(**dict(.., **kw))
    ("CopyPool", {"keepalive"}, "deferred"),                               # a copy spread in another method
    ("CopyPool.from_url", {"url", "keepalive"}, "deferred"),               # cls(**kwargs)
    ("from_url", {"url", "keepalive"}, "deferred"),                        # imported in the body, classmethod
])
def test_keywords_follow_the_var_keyword(sample: str, item: str, names: set[str], policy: str) -> None:
    keywords = keywords_of(f"{sample}.{item}")
    assert (keywords.names, keywords.policy) == (names, policy)


def test_stored_keywords_nobody_spreads_are_marked_todo(sample: str) -> None:
    keywords = keywords_of(f"{sample}.Stores")
    assert keywords.policy == "deferred" and not keywords.certain
    assert any("stored in self._kw" in note and "TODO" in note for note in keywords.notes)


def test_other_uses_of_the_keywords_are_left_to_a_person(sample: str) -> None:
    keywords = keywords_of(f"{sample}.Validates")  # botocore's Config passes them to a checking method
    assert not keywords.certain
    assert any("`self._check(kwargs)`" in note and "TODO" in note for note in keywords.notes)
    assert not any("never read" in note for note in keywords.notes)


def test_keywords_fate_without_var_keyword(sample: str) -> None:
    fate = keywords_fate(resolve(f"{sample}.Connection.__init__"))
    assert not fate.var_keyword and fate.policy == "raises"


def test_a_module_without_a_distribution_is_refused(sample: str) -> None:
    from lintkit.generators.schema_draft import DraftError

    with pytest.raises(DraftError, match="no installed distribution"):
        draft_schema(sample)


def test_drafting_the_sample_classes_by_name(sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from lintkit.generators import schema_draft

    monkeypatch.setattr(schema_draft, "locate", lambda target: schema_draft.Library(sample, "sample", "1.0", []))
    draft = draft_schema(sample, classes=[f"{sample}.Base", f"{sample}.Forwards", f"{sample}.Pool"],
                         factories=[f"{sample}.make_pool"])
    schema = parse_schema(load_toml(render_draft(draft, "test").encode()), "sample.toml")
    by_name = {cls.name: cls for cls in schema.classes}
    assert by_name[f"{sample}.Forwards"].bases == (f"{sample}.Base",)
    assert by_name[f"{sample}.Forwards"].attributes == {"heartbeat"}  # host comes from the base
    assert by_name[f"{sample}.Pool"].attributes == {"connection_class", "connection_kwargs"}
    assert [(f.name, f.returns) for f in schema.factories] == [(f"{sample}.make_pool", f"{sample}.Pool")]


# --------------------------------------------------------------------------- name lists


@pytest.mark.parametrize("entry", NAME_LISTS, ids=lambda e: f"{e.distribution}:{e.path}:{e.item}")
def test_every_name_list_reads(entry) -> None:
    pytest.importorskip(entry.path.split(".")[0] if not entry.path.startswith("lintkit.") else "psycopg2")
    names = entry.names()
    assert names and all(isinstance(name, str) and name for name in names)
    if entry.role == "kwargs":  # the generator's view of the item includes the list
        assert names <= keywords_of(entry.item).names
    elif entry.role.startswith("option_keys."):  # the collection is one of the item's keywords or attributes
        attributes, _ = class_members(resolve(entry.item))
        assert entry.role.split(".", 1)[1] in keywords_of(entry.item).names | attributes


@pytest.mark.parametrize(("path", "expected"), [
    ("celery.app.defaults.SETTING_KEYS", "broker_heartbeat"),
    ("botocore.config.Config.OPTION_DEFAULTS", "tcp_keepalive"),
    ("zmq.SocketOption", "TCP_KEEPALIVE_IDLE"),
    ("redis.cluster.REDIS_ALLOWED_KEYS", "socket_keepalive"),
    ("aio_pika.connection.Connection.PARAMETERS", "interleave"),
    ("psycopg.pq.Conninfo.get_defaults()", "keepalives_idle"),
    ("urllib3.poolmanager.PoolKey", "key_socket_options"),
])
def test_name_list_shapes(path: str, expected: str) -> None:
    pytest.importorskip(path.split(".")[0])
    assert expected in names_of(path)


def test_name_list_prefix_is_dropped() -> None:
    pytest.importorskip("urllib3")
    assert "socket_options" in names_of("urllib3.poolmanager.PoolKey", "key_")


def test_unused_name_lists_are_shown_in_the_draft(capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("celery")
    text = generate(capsys, "celery", "--class", "celery.app.base.Celery")
    assert "# celery.app.defaults.SETTING_KEYS: the library's own list (settings):" in text
    assert '"broker_heartbeat"' in text
    parse_schema(load_toml(text.encode()), "celery.toml")


IMPORTABLE_CLASSES = [cls for lib in SCHEMAS.libraries if lib.importable for cls in lib.classes]


@pytest.mark.parametrize("cls", IMPORTABLE_CLASSES, ids=lambda cls: cls.name)
def test_the_generator_sees_each_bundled_class_policies(cls) -> None:
    """What the draft says an unknown attribute or keyword does is what the schema (checked against
    real instances by tests/test_schema_drift.py) says, where the generator read every destination."""
    pytest.importorskip(cls.name.split(".")[0])
    draft = draft_schema(cls.name.rsplit(".", 1)[0], classes=[cls.name])
    mine = draft.classes[0]
    assert mine.unknown_attributes == cls.unknown_attributes
    if cls.kwargs is not None and mine.keywords.certain:
        assert mine.keywords.policy == cls.unknown_kwargs
