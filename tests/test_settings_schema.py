"""`[[settings]]` in a schema file: the loader's checks, and the prefilter's settings modules."""

from __future__ import annotations

from pathlib import Path

from lintkit.engine import Engine
from lintkit.schemas.registry import load_schema_set
from schema_support import ACME_LIBRARY, schema_load_error

SETTINGS = ACME_LIBRARY + """
[[settings]]
name = "acme"
keys = ["server_url", "ping_interval"]
"""


def test_unknown_settings_key_is_named(tmp_path: Path) -> None:
    error = schema_load_error(tmp_path, SETTINGS + 'conf_atribute = "conf"\n')
    assert "settings 'acme'.conf_atribute: unknown key; did you mean 'conf_attribute'?" in error


def test_legacy_and_constructor_keys_must_be_keys(tmp_path: Path) -> None:
    error = schema_load_error(tmp_path, SETTINGS + 'constructor_keys = { url = "server_uri" }\n'
                                                   '[settings.legacy_keys]\nSERVER = "server"\n')
    assert "constructor_keys: not among the keys: 'server_uri'" in error
    assert "legacy_keys: not among the keys: 'server'" in error


def test_a_knob_names_a_key(tmp_path: Path) -> None:
    error = schema_load_error(tmp_path, SETTINGS + '[[settings.knob]]\nconcept = "heartbeat"\nsetting = "ping"\n'
                                                   'unit = "s"\n')
    assert "knob[0].setting: 'ping' is not among the keys" in error


def test_per_transport_facts_need_a_known_connection(tmp_path: Path) -> None:
    knob = '[[settings.knob]]\nconcept = "heartbeat"\nsetting = "ping_interval"\nunit = "s"\ntransports = ["acme:Tcp"]\n'
    assert "per-transport facts need transport_of" in schema_load_error(tmp_path, SETTINGS + knob)
    linked = SETTINGS + '[settings.transport_of]\nurl = "server_url"\nconnection = "acme.Client"\n' + knob
    assert "transport_of.connection: no schema class 'acme.Client'" in schema_load_error(tmp_path, linked)


def test_a_module_needs_file_names_or_markers(tmp_path: Path) -> None:
    error = schema_load_error(tmp_path, SETTINGS + '[[settings.module]]\nprefix = "ACME_"\n')
    assert "needs file_names or markers" in error


def test_option_keys_name_a_key(tmp_path: Path) -> None:
    error = schema_load_error(tmp_path, SETTINGS + '[settings.option_keys.extra]\n"acme:Tcp" = ["a"]\n')
    assert "option_keys.extra: must be one of the keys" in error


def test_settings_modules_pass_the_prefilter_without_importing_the_library() -> None:
    engine = Engine(load_schema_set())
    assert engine.wants("CELERY_BROKER_URL = 'amqp://h//'\n")
    assert engine.wants(b"CELERY_BROKER_URL = 'amqp://h//'\n")
    assert engine.wants("broker_url = 'amqp://h//'\n", "proj/celeryconfig.py")
    assert not engine.wants("broker_url = 'amqp://h//'\n", "proj/config.py")
    assert not engine.wants("BROKER_URL = 'amqp://h//'\n")


def test_a_file_importing_celery_passes_the_prefilter() -> None:
    engine = Engine(load_schema_set())
    assert engine.wants("from celery import Celery\napp = Celery('p')\n")
