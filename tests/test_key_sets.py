"""`[[key_set]]` schemas: the loader's checks, their docs, and how LK103 finds settings modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lintkit.engine import Engine
from lintkit.schemas.key_sets import _KEY_SET_KEYS
from lintkit.schemas.registry import SchemaSet, load_schema_set
from lintkit.schemas.schema import load_schema_file
from lintkit.library_settings.settings_modules import mentions_setting
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

ROOT = Path(__file__).parents[1]


def test_schema_docs_list_every_key_set_key() -> None:
    text = (ROOT / "docs" / "schemas.md").read_text(encoding="utf-8")
    section = text.split("## `[[key_set]]`\n", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for cell in re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE):
        documented.update(re.findall(r"`([a-z_]+)`", cell))
    assert documented == _KEY_SET_KEYS


GOOD = ACME_LIBRARY + """
[[key_set]]
name = "an ACME entry"
setting = "ACME"
path = ["*"]
keys = ["HOST", "RETRIES"]
"""


def test_a_key_set_loads(tmp_path: Path) -> None:
    schemas = SchemaSet([load_schema_file(write_schema(tmp_path, GOOD))])
    (loaded,) = schemas.key_sets
    assert loaded.setting == "ACME" and loaded.path == ("*",) and loaded.keys == {"HOST", "RETRIES"}
    assert loaded.unknown_keys == "ignored" and loaded.report == "all" and loaded.distribution == "acme-client"


@pytest.mark.parametrize(("body", "problem"), [
    ('name = "x"\nsetting = "A"', "needs keys or keys_of"),
    ('name = "x"\nkeys = ["A"]', "needs exactly one of setting and call"),
    ('name = "x"\nkeys = ["A"]\nsetting = "A"\ncall = ["acme.connect"]', "needs exactly one of setting and call"),
    ('name = "x"\nkeys = ["A"]\ncall = ["acme.connect"]\npath = ["*"]', "need a setting"),
    ('name = "x"\nkeys = ["A"]\ncall = ["acme.connect"]', "needs an argument or a url_argument"),
    ('name = "x"\nkeys = ["A"]\ncall = ["acme.connect"]\nurl_argument = "url"', "needs the drivers"),
    ('name = "x"\nkeys = ["A"]\ncall = ["acme.connect"]\nargument = "a"\ndrivers = ["p"]', "need a url_argument"),
    ('name = "x"\nkeys = ["A"]\nsetting = "A"\nignored_as_settings = ["B"]', "not among the keys: B"),
    ('name = "x"\nkeys = ["A"]\nsetting = "A"\nunknown_keys = "dropped"', "must be one of"),
    ('name = "x"\nkeys = ["A"]\nsetting = "A"\nwhen = { ENGINE = [] }', "non-empty list of strings"),
    ('name = "x"\nkeys = ["A"]\nsetting = "A"\nkeyz = ["B"]', "unknown key; did you mean 'keys'?"),
    ('name = "x"\nkeys_of = ["acme.missing"]\nsetting = "A"', "no schema class or factory 'acme.missing'"),
])
def test_malformed_key_sets_are_errors(tmp_path: Path, body: str, problem: str) -> None:
    assert problem in schema_load_error(tmp_path, ACME_LIBRARY + "\n[[key_set]]\n" + body)


SETTINGS = """\
SECRET_KEY = "x"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGES": 60}}
"""


def test_settings_modules_need_no_import_to_be_checked() -> None:
    """The prefilter lets a settings module through by its DATABASES line, for LK103 only."""
    schemas = load_schema_set()
    assert Engine(schemas).check_text(SETTINGS, "app/settings.py").findings[0].code == "LK103"
    assert Engine(schemas).wants(SETTINGS, "app/settings.py")
    assert not Engine(schemas).wants(SETTINGS, "app/conf.py")  # no other file is read for settings
    assert not Engine(schemas).wants(SETTINGS)
    assert not Engine(schemas, select=["LK201"]).wants(SETTINGS, "app/settings.py")
    assert not Engine(schemas).wants("x = 1\nmy_DATABASES = {}\n", "settings.py")


def test_mentions_setting_reads_text_and_bytes() -> None:
    assert mentions_setting("x = 1\nDATABASES = {}", ["DATABASES"])
    assert mentions_setting(b"DATABASES = {}", ["DATABASES"])
    assert not mentions_setting("x = DATABASES", ["DATABASES"])


@pytest.mark.parametrize(("filename", "text", "checked"), [
    ("app/settings.py", SETTINGS, True),  # assigns SECRET_KEY
    ("app/local_settings.py", SETTINGS, True),
    ("app/settings/prod.py", "from .base import *\n" + SETTINGS.split("\n", 1)[1], True),  # split settings
    ("app/conf.py", SETTINGS, False),  # not named like settings
    ("app/settings.py", SETTINGS.split("\n", 1)[1], False),  # a DATABASES dict and nothing else of Django's
])
def test_what_counts_as_a_settings_module(filename: str, text: str, checked: bool) -> None:
    findings = Engine(load_schema_set()).check_text(text, filename).findings
    assert bool(findings) == checked


def test_module_level_setting_read_by_the_module_is_a_helper() -> None:
    text = SETTINGS + "CONN_MAX_AGE = 60\nDATABASES['default']['CONN_MAX_AGE'] = CONN_MAX_AGE\n"
    messages = [f.message for f in Engine(load_schema_set()).check_text(text, "settings.py").findings]
    assert not any("is not a setting" in m for m in messages)
    alone = SETTINGS + "CONN_MAX_AGE = 60\n"
    messages = [f.message for f in Engine(load_schema_set()).check_text(alone, "settings.py").findings]
    assert any("'CONN_MAX_AGE' is not a setting" in m for m in messages)


def test_unknown_engine_or_computed_entries_are_not_checked() -> None:
    text = ('SECRET_KEY = "x"\n'
            'DATABASES = {"default": {"ENGINE": ENGINE, "OPTIONS": {"bogus": 1}},\n'
            '             "other": {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {**BASE, "bogus": 1}},\n'
            '             "third": env.db()}\n')
    assert Engine(load_schema_set()).check_text(text, "settings.py").findings == []


def test_settings_in_blocks_and_by_subscript_are_read() -> None:
    text = ('SECRET_KEY = "x"\n'
            'if DEBUG:\n'
            '    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "TIMEOUTS": 1}}\n'
            'try:\n'
            '    CACHES["redis"] = {"BACKEND": "django_redis.cache.RedisCache", "OPTIONS": {"SOCKET_KEEPALIVE": 1}}\n'
            'except ImportError:\n'
            '    pass\n'
            'DATABASES["default"]["CONN_MAX_AGES"] = 60\n'
            'DATABASES["default"]["OPTIONS"] = {"bogus": 1}\n')
    found = [(f.line, f.message.split(" is not")[0]) for f in Engine(load_schema_set()).check_text(text, "settings.py").findings]
    assert found == [(3, "'TIMEOUTS'"), (5, "'SOCKET_KEEPALIVE'"), (8, "'CONN_MAX_AGES'")]


@pytest.mark.parametrize("filename", ["settings.py", "test_settings.py", "settings_test.py"])
def test_test_settings_are_not_judged_for_liveness(filename: str) -> None:
    """LK203/LK204/LK205 leave test settings alone (the test runner's connections); LK103 still reads them."""
    text = ('SECRET_KEY = "x"\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "db",\n'
            '    "CONN_MAX_AGE": None, "CONN_MAX_AGES": 1, "OPTIONS": {"keepalives": 0}}}\n')
    codes = sorted(f.code for f in Engine(load_schema_set()).check_text(text, filename).findings)
    assert codes == (["LK103"] if "test" in filename else ["LK103", "LK203"])


def test_each_configured_driver_call_gets_its_own_verdict() -> None:
    """The LK2xx exemptions cache verdicts by the call's id: the driver calls built from settings
    stay alive for the file, so no later call can reuse an id and take another's verdict."""
    import ast

    from lintkit.checks.lk203_liveness_disabled import LivenessDisabled
    from lintkit.analysis.context import FileContext, RuleOptions
    from lintkit.library_settings.driver_calls import settings_calls

    entries = ",\n".join(
        f'"db{i}": {{"ENGINE": "django.db.backends.postgresql", "HOST": "db", "CONN_MAX_AGE": None, '
        f'"OPTIONS": {{"keepalives": 0}}}}' for i in range(30))
    text = f'SECRET_KEY = "x"\nDATABASES = {{{entries}}}\n'
    check = LivenessDisabled(load_schema_set(), lambda *a: None,
                             FileContext("settings.py", ast.parse(text), RuleOptions(), text))
    ids = [(id(event.call), id(event.target)) for event in settings_calls(check)]  # each event dropped at once
    assert len(ids) == 30 and len(set(ids)) == 30
