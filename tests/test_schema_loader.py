"""The schema loader's error messages, and the bundled schemas loading together.

Every malformed schema must fail with a SchemaError that names the file and the
key, so a typo in a user schema is caught as loudly as the typos lintkit exists
to catch.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lintkit.schemas.registry import SchemaSet, load_schema_set
from lintkit.schemas.schema import SchemaError, bundled_schema_files, load_schema_file
from schema_support import ACME_LIBRARY, schema_load_error, write_schema

LIBRARY = ACME_LIBRARY + """"""

CLASS = """
[[class]]
name = "acme.client.Client"
aliases = ["acme.Client"]
attributes = ["host", "heartbeat"]
methods = ["close"]
kwargs = ["host", "heartbeat"]
"""


write = write_schema


def load_error(tmp_path: Path, text: str, name: str = "acme.toml") -> str:
    message = schema_load_error(tmp_path, text, name)
    assert message.startswith(f"{tmp_path / name}: "), f"the message must name the file first: {message}"
    return message


def test_a_valid_schema_loads(tmp_path: Path) -> None:
    schema = load_schema_file(write(tmp_path, LIBRARY + CLASS))
    assert schema.name == "acme"
    assert [c.name for c in schema.classes] == ["acme.client.Client"]
    assert SchemaSet([schema]).lookup("acme.Client").name == "acme.client.Client"


# --------------------------------------------------------------------------- unknown keys


def test_unknown_class_key_names_the_key_and_suggests_the_right_one(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS.replace("attributes =", "atributes ="))
    assert "class 'acme.client.Client'.atributes: unknown key; did you mean 'attributes'?" in message


def test_unknown_library_key_is_named(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY.replace("version =", "verison =") + CLASS)
    assert "library.verison: unknown key; did you mean 'version'?" in message


def test_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    message = load_error(tmp_path, "formt = 1\n" + LIBRARY + CLASS)
    assert "formt: unknown key; did you mean 'format'?" in message


def test_unknown_knob_key_is_named(tmp_path: Path) -> None:
    knob = '\n[[class.knob]]\nconcept = "heartbeat"\nkwarg = "heartbeat"\nunit = "s"\ndefualt = 0\n'
    message = load_error(tmp_path, LIBRARY + CLASS + knob)
    assert "knob[0].defualt: unknown key; did you mean 'default'?" in message


def test_unknown_factory_key_is_named(tmp_path: Path) -> None:
    factory = '\n[[factory]]\nname = "acme.connect"\nreturns = "acme.client.Client"\nkwarg_of = "acme.Client"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + factory)
    assert "factory 'acme.connect'.kwarg_of: unknown key; did you mean 'kwargs_of'?" in message


# --------------------------------------------------------------------------- types and values


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS.replace('kwargs = ["host", "heartbeat"]', 'kwargs = "host"'))
    assert "class 'acme.client.Client'.kwargs: must be a list of strings" in message


def test_wrong_type_in_library_names_the_key(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY.replace('version = "1.0"', "version = 1.0") + CLASS)
    assert "library.version: must be a string, not float" in message


def test_wrong_type_of_importable_names_the_key(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + 'importable = "no"\n' + CLASS)
    assert "library.importable: must be true or false" in message


def test_notes_must_be_strings(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS + "\n[class.notes]\nheartbeat = 5\n")
    assert "class 'acme.client.Client'.notes.heartbeat: must be a string or a table with fix (and why) strings" \
        in message


def test_a_note_may_split_the_fix_from_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path, LIBRARY + CLASS + '\n[class.notes]\nheartbeat = { fix = "pass ping=30", why = "no such thing" }\n'
                 'keepalive = "pass ping=30"\n')
    notes = load_schema_file(path).classes[0].notes
    assert (notes["heartbeat"], notes["heartbeat"].why) == ("pass ping=30", "no such thing")
    assert (notes["keepalive"], notes["keepalive"].why) == ("pass ping=30", "")


def test_a_note_table_needs_a_fix(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS + '\n[class.notes]\nheartbeat = { why = "no such thing" }\n')
    assert "notes.heartbeat: must be a string or a table with fix (and why) strings" in message


def test_bad_kwarg_policy_lists_the_choices(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS + 'unknown_kwargs = "ignores"\n')
    assert ("class 'acme.client.Client'.unknown_kwargs: "
            "must be one of deferred, raises, swallows, not 'ignores'") in message


def test_bad_attribute_policy_lists_the_choices(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS + 'unknown_attributes = "slots"\n')
    assert "class 'acme.client.Client'.unknown_attributes: must be one of raises, silent, not 'slots'" in message


def test_bad_factory_policy_names_the_factory(tmp_path: Path) -> None:
    factory = '\n[[factory]]\nname = "acme.connect"\nreturns = "acme.client.Client"\nunknown_kwargs = "drops"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + factory)
    assert "factory 'acme.connect'.unknown_kwargs: must be one of deferred, raises, swallows, not 'drops'" in message


def test_bad_knob_concept_and_unit_are_named(tmp_path: Path) -> None:
    knob = '\n[[class.knob]]\nconcept = "hartbeat"\nkwarg = "heartbeat"\nunit = "s"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + knob)
    assert "class 'acme.client.Client'.knob[0].concept: must be one of" in message and "'hartbeat'" in message
    knob = '\n[[class.knob]]\nconcept = "heartbeat"\nkwarg = "heartbeat"\nunit = "seconds"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + knob)
    assert "class 'acme.client.Client'.knob[0].unit: must be one of bool, ms, options, s, not 'seconds'" in message


def test_knob_needs_a_setter(tmp_path: Path) -> None:
    knob = '\n[[class.knob]]\nconcept = "heartbeat"\nunit = "s"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + knob)
    assert "class 'acme.client.Client'.knob[0]: needs at least one of kwarg, attribute, method" in message


def test_knob_default_must_be_a_value(tmp_path: Path) -> None:
    knob = '\n[[class.knob]]\nconcept = "heartbeat"\nkwarg = "heartbeat"\nunit = "s"\ndefault = "off"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + knob)
    assert "class 'acme.client.Client'.knob[0].default: must be a number, true/false or \"none\", not 'off'" in message


def test_wrong_format_version_is_named(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY.replace("format = 1", "format = 2") + CLASS)
    assert "format: must be 1" in message


# --------------------------------------------------------------------------- required keys


@pytest.mark.parametrize("key", ["name", "distribution", "version", "source"])
def test_missing_library_key_is_named(tmp_path: Path, key: str) -> None:
    text = re.sub(rf"^{key} = .*\n", "", LIBRARY, count=1, flags=re.MULTILINE)
    message = load_error(tmp_path, text + CLASS)
    assert f"library.{key}: is required" in message


def test_missing_class_name_is_named(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS.replace('name = "acme.client.Client"\n', ""))
    assert "class[0].name: is required" in message


def test_missing_factory_returns_is_named(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS + '\n[[factory]]\nname = "acme.connect"\n')
    assert "factory 'acme.connect'.returns: is required" in message


def test_missing_knob_unit_is_named(tmp_path: Path) -> None:
    knob = '\n[[class.knob]]\nconcept = "heartbeat"\nkwarg = "heartbeat"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + knob)
    assert "class 'acme.client.Client'.knob[0].unit: must be one of" in message


# --------------------------------------------------------------------------- lists and references


def test_duplicate_list_entry_is_named(tmp_path: Path) -> None:
    text = CLASS.replace('methods = ["close"]', 'methods = ["close", "open", "close"]')
    message = load_error(tmp_path, LIBRARY + text)
    assert "class 'acme.client.Client'.methods: lists 'close' more than once" in message


def test_duplicate_alias_is_named(tmp_path: Path) -> None:
    text = CLASS.replace('aliases = ["acme.Client"]', 'aliases = ["acme.Client", "acme.Client"]')
    message = load_error(tmp_path, LIBRARY + text)
    assert "class 'acme.client.Client'.aliases: lists 'acme.Client' more than once" in message


def test_bad_returns_reference_is_named(tmp_path: Path) -> None:
    factory = '\n[[factory]]\nname = "acme.connect"\nreturns = "acme.client.Clinet"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + factory)
    assert "factory 'acme.connect'.returns: no schema class 'acme.client.Clinet'" in message


def test_returns_must_name_a_class_not_a_factory(tmp_path: Path) -> None:
    factory = ('\n[[factory]]\nname = "acme.connect"\nreturns = "acme.client.Client"\n'
               '\n[[factory]]\nname = "acme.reconnect"\nreturns = "acme.connect"\n')
    message = load_error(tmp_path, LIBRARY + CLASS + factory)
    assert "factory 'acme.reconnect'.returns: no schema class 'acme.connect'" in message


def test_bad_kwargs_of_reference_is_named(tmp_path: Path) -> None:
    factory = '\n[[factory]]\nname = "acme.connect"\nreturns = "acme.Client"\nkwargs_of = "acme.Session"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + factory)
    assert "factory 'acme.connect'.kwargs_of: no schema class 'acme.Session'" in message


def test_bad_bases_reference_is_named(tmp_path: Path) -> None:
    child = '\n[[class]]\nname = "acme.client.TLSClient"\nbases = ["acme.client.Clent"]\n'
    message = load_error(tmp_path, LIBRARY + CLASS + child)
    assert "class 'acme.client.TLSClient'.bases: no schema class 'acme.client.Clent'" in message


def test_bases_may_name_a_class_of_another_file(tmp_path: Path) -> None:
    base = write(tmp_path, LIBRARY + CLASS, "acme.toml")
    child = write(tmp_path, LIBRARY.replace('"acme"', '"acme_tls"') +
                  '\n[[class]]\nname = "acme_tls.TLSClient"\nbases = ["acme.Client"]\nattributes = ["context"]\n',
                  "acme_tls.toml")
    schemas = SchemaSet([load_schema_file(base), load_schema_file(child)])
    tls = schemas.lookup("acme_tls.TLSClient")
    assert schemas.attributes(tls) == {"context", "host", "heartbeat"}


def test_duplicate_name_across_files_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, LIBRARY + CLASS, "acme.toml")
    second = write(tmp_path, LIBRARY + '\n[[class]]\nname = "acme.Client"\n', "acme_again.toml")
    with pytest.raises(SchemaError) as info:
        SchemaSet([load_schema_file(first), load_schema_file(second)])
    assert str(info.value) == f"{second}: 'acme.Client' is already defined in {first}"


def test_duplicate_name_within_a_file_is_named(tmp_path: Path) -> None:
    factory = '\n[[factory]]\nname = "acme.Client"\nreturns = "acme.client.Client"\n'
    message = load_error(tmp_path, LIBRARY + CLASS + factory)
    assert "'acme.Client' is already defined in" in message


def test_every_problem_of_a_file_is_collected(tmp_path: Path) -> None:
    text = LIBRARY + CLASS.replace('methods = ["close"]', 'methods = "close"\nheartbeet = 1') + """
[[class.knob]]
concept = "heartbeat"
kwarg = "heartbeat"
unit = "minutes"

[[factory]]
name = "acme.connect"
returns = 3
"""
    path = write(tmp_path, text)
    with pytest.raises(SchemaError) as info:
        load_schema_file(path)
    assert [problem for _, problem in info.value.problems] == [
        "class 'acme.client.Client'.heartbeet: unknown key",
        "class 'acme.client.Client'.methods: must be a list of strings",
        "class 'acme.client.Client'.knob[0].unit: must be one of bool, ms, options, s, not 'minutes'",
        "factory 'acme.connect'.returns: must be a string, not int",
    ]
    assert {origin for origin, _ in info.value.problems} == {str(path)}
    assert str(info.value).count(f"{path}: ") == 4, "one line per problem, each naming the file"


def test_cross_file_problems_are_all_collected(tmp_path: Path) -> None:
    factories = '\n[[factory]]\nname = "acme.a"\nreturns = "acme.Nope"\n[[factory]]\nname = "acme.b"\nreturns = "acme.Gone"\n'
    path = write(tmp_path, LIBRARY + CLASS + factories)
    with pytest.raises(SchemaError) as info:
        SchemaSet([load_schema_file(path)])
    assert str(info.value).splitlines() == [f"{path}: factory 'acme.a'.returns: no schema class 'acme.Nope'",
                                            f"{path}: factory 'acme.b'.returns: no schema class 'acme.Gone'"]


def test_a_user_schema_cannot_replace_a_bundled_one(tmp_path: Path) -> None:
    user = write(tmp_path, LIBRARY + '\n[[class]]\nname = "kombu.Connection"\nattributes = []\n', "mine.toml")
    with pytest.raises(SchemaError) as info:
        load_schema_set([user])
    assert str(info.value).startswith(f"{user}: 'kombu.Connection' is already defined in ")
    assert str(info.value).endswith("kombu.toml")


# --------------------------------------------------------------------------- files


def test_invalid_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + '\n[[class]]\nname = "acme.Client\n')
    assert "not valid TOML" in message and "line" in message


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(SchemaError, match=re.escape(f"{missing}: cannot read")):
        load_schema_file(missing)


def test_a_directory_of_user_schemas_loads(tmp_path: Path) -> None:
    write(tmp_path, LIBRARY + CLASS)
    schemas = load_schema_set([tmp_path])
    assert schemas.lookup("acme.Client") is not None
    assert schemas.lookup("kombu.Connection") is not None


# --------------------------------------------------------------------------- bundled schemas


def test_every_bundled_schema_loads_together() -> None:
    schemas = load_schema_set()
    names = {Path(lib.origin).name for lib in schemas.libraries}
    expected = {
        "amqp.toml", "ftplib.toml", "http_client.toml", "kombu.toml", "paramiko.toml", "pika.toml",
        "psycopg.toml", "psycopg2.toml", "pymysql.toml", "qpid.toml", "redis.toml", "requests.toml",
        "smtplib.toml", "socket.toml", "ssl.toml", "urllib3.toml", "vocabulary.toml", "websocket.toml",
    }
    assert expected <= names, f"bundled schemas missing: {sorted(expected - names)}"


@pytest.mark.parametrize("path", bundled_schema_files(), ids=lambda p: p.name)
def test_each_bundled_schema_is_complete(path: Path) -> None:
    lib = load_schema_file(path)
    if not (lib.classes or lib.factories):
        return  # vocabulary.toml
    assert lib.source.strip(), f"{path.name}: [library].source must say where the facts come from"
    for cls in lib.classes:
        if cls.kwargs is None and cls.attributes is None and not cls.knobs:
            continue  # tracked only to follow a factory (sqlalchemy's Engine: create_engine's key sets)
        assert cls.kwargs is not None, f"{path.name}: {cls.name} has no kwargs"
        if cls.unknown_attributes == "raises" and cls.attributes is None:
            continue  # an attribute typo fails at once (asyncpg's __slots__, pyzmq's option setter): not listed
        assert cls.attributes is not None, f"{path.name}: {cls.name} has no attributes"


def test_bundled_names_resolve_through_aliases() -> None:
    schemas = load_schema_set()
    assert schemas.lookup("redis.StrictRedis").name == "redis.client.Redis"
    assert schemas.lookup("redis.Redis.from_url").name == "redis.client.Redis.from_url"
    assert schemas.lookup("pymysql.connect").name == "pymysql.connections.Connection"
    assert schemas.lookup("psycopg.connect").name == "psycopg.connection.Connection.connect"
    assert schemas.method_factory(schemas.lookup("paramiko.SSHClient"), "get_transport").returns == \
        "paramiko.transport.Transport"
    ssl_socket = schemas.lookup("ssl.SSLSocket")
    assert "setsockopt" in schemas.methods(ssl_socket)  # inherited from socket.socket through bases


# --------------------------------------------------------------------------- knob requirements

OPTIONS_KNOB = '\n[[class.knob]]\nconcept = "heartbeat"\nkwarg = "options"\nunit = "ms"\n'


def test_knob_requirements_load(tmp_path: Path) -> None:
    knob = OPTIONS_KNOB + 'key = "ping_ms"\nrequires = { "ping_idle" = 1, "ping_always" = true }\n'
    [cls] = load_schema_file(write(tmp_path, LIBRARY + CLASS + knob)).classes
    assert cls.knobs[0].requires == (("ping_always", True), ("ping_idle", 1))


def test_knob_requirements_need_a_key(tmp_path: Path) -> None:
    message = load_error(tmp_path, LIBRARY + CLASS + OPTIONS_KNOB + 'requires = { "ping_idle" = 1 }\n')
    assert "knob[0].requires: needs a key" in message


def test_knob_requirement_values_are_scalars(tmp_path: Path) -> None:
    knob = OPTIONS_KNOB + 'key = "ping_ms"\nrequires = { "ping_idle" = [1] }\n'
    message = load_error(tmp_path, LIBRARY + CLASS + knob)
    assert "knob[0].requires.ping_idle: must be a number" in message


def test_knob_caveat_loads(tmp_path: Path) -> None:
    knob = OPTIONS_KNOB + 'key = "ping_ms"\ncaveat = "the server must allow it"\n'
    [cls] = load_schema_file(write(tmp_path, LIBRARY + CLASS + knob)).classes
    assert cls.knobs[0].caveat == "the server must allow it"


def test_option_keys_load_and_are_checked(tmp_path: Path) -> None:
    option_keys = 'option_keys = { host = ["A", "B"] }\n'
    [cls] = load_schema_file(write(tmp_path, LIBRARY + CLASS + option_keys)).classes
    assert cls.option_keys == {"host": frozenset({"A", "B"})}
    assert "option_keys.nope: must be one of the class's kwargs or attributes" in load_error(
        tmp_path, LIBRARY + CLASS + 'option_keys = { nope = ["A"] }\n')
    assert "option_keys.host: must be a non-empty list of strings" in load_error(
        tmp_path, LIBRARY + CLASS + 'option_keys = { host = [] }\n')


# --------------------------------------------------------------------------- servicing and factories' receivers


def test_serviced_by_must_list_python_names(tmp_path: Path) -> None:
    knob = '\n[[class.knob]]\nconcept = "heartbeat"\nkwarg = "heartbeat"\nunit = "s"\nserviced_by = ["tick()"]\n'
    message = load_error(tmp_path, LIBRARY + CLASS + knob)
    assert "class 'acme.client.Client'.knob[0].serviced_by: must be a non-empty list of Python names" in message
    knob = knob.replace('["tick()"]', "[]")
    assert "serviced_by: must be a non-empty list of Python names" in load_error(tmp_path, LIBRARY + CLASS + knob)
    knob = knob.replace("[]", '["tick"]')
    schema = load_schema_file(write(tmp_path, LIBRARY + CLASS + knob))
    assert schema.classes[0].knobs[0].serviced_by == ("tick",)


def test_ready_after_must_name_methods_of_the_receiver(tmp_path: Path) -> None:
    factory = ('\n[[factory]]\nname = "acme.client.Client.session"\nreturns = "acme.client.Client"\n'
               'ready_after = ["conect"]\n')
    message = load_error(tmp_path, LIBRARY + CLASS + factory)
    assert "factory 'acme.client.Client.session'.ready_after: not methods of 'acme.client.Client': conect" in message
    factory = '\n[[factory]]\nname = "acme.connect"\nreturns = "acme.client.Client"\nready_after = ["close"]\n'
    message = load_error(tmp_path, LIBRARY + CLASS + factory)
    assert "factory 'acme.connect'.ready_after: needs a method of a schema class (the receiver)" in message


def test_copies_settings_needs_a_factory_returning_its_receivers_class(tmp_path: Path) -> None:
    other = '\n[[class]]\nname = "acme.client.Session"\n'
    factory = ('\n[[factory]]\nname = "acme.client.Client.session"\nreturns = "acme.client.Session"\n'
               'copies_settings = true\n')
    message = load_error(tmp_path, LIBRARY + CLASS + other + factory)
    assert "factory 'acme.client.Client.session'.copies_settings: the factory must return its receiver's class" \
        in message
    factory = factory.replace("acme.client.Session", "acme.client.Client")
    schema = SchemaSet([load_schema_file(write(tmp_path, LIBRARY + CLASS + factory))])
    assert schema.call_target(schema.lookup("acme.client.Client.session")).copies_settings


def test_kwargs_receiver_loads_and_is_checked(tmp_path: Path) -> None:
    [cls] = load_schema_file(write(tmp_path, LIBRARY + CLASS + 'kwargs_receiver = "host"\n')).classes
    assert cls.kwargs_receiver == "host"
    assert "kwargs_receiver: must be one of the class's kwargs" in load_error(
        tmp_path, LIBRARY + CLASS + 'kwargs_receiver = "connection_class"\n')


def test_session_methods_load_and_are_checked(tmp_path: Path) -> None:
    cls_text = CLASS.replace('methods = ["close"]', 'methods = ["close", "login"]')
    [cls] = load_schema_file(write(tmp_path, LIBRARY + cls_text + 'session_methods = ["login"]\n')).classes
    assert cls.session_methods == frozenset({"login"})
    assert "session_methods: must be among the class's methods (not open)" in load_error(
        tmp_path, LIBRARY + cls_text + 'session_methods = ["login", "open"]\n')


def test_borrowed_by_loads_and_is_checked(tmp_path: Path) -> None:
    [cls] = load_schema_file(write(tmp_path, LIBRARY + CLASS + 'borrowed_by = ["acme.utils.run"]\n')).classes
    assert cls.borrowed_by == frozenset({"acme.utils.run"})
    assert "borrowed_by: 'run' is not a qualified name (module.function)" in load_error(
        tmp_path, LIBRARY + CLASS + 'borrowed_by = ["run"]\n')


def test_parts_load_and_are_checked(tmp_path: Path) -> None:
    transport = '\n[[class]]\nname = "acme.transport.Transport"\nmethods = ["set_keepalive"]\n'
    text = LIBRARY + CLASS + 'parts = { _transport = "acme.transport.Transport" }\n' + transport
    schema = load_schema_file(write(tmp_path, text))
    assert schema.classes[0].parts == {"_transport": "acme.transport.Transport"}
    schemas = SchemaSet([schema])
    assert schemas.part(schemas.lookup("acme.Client"), "_transport") is schemas.lookup("acme.transport.Transport")
    assert [(route.returns.name, route.step) for route in schemas.routes(schemas.lookup("acme.Client"))] == \
        [("acme.transport.Transport", "_transport")]
    assert "parts.the transport: must be an attribute name" in load_error(
        tmp_path, LIBRARY + CLASS + 'parts = { "the transport" = "acme.transport.Transport" }\n' + transport)
    assert "parts: must be a table of strings" in load_error(tmp_path, LIBRARY + CLASS + 'parts = { _t = 1 }\n')
    assert "class 'acme.client.Client'.parts._transport: no schema class 'acme.transport.Transprot'" in load_error(
        tmp_path, LIBRARY + CLASS + 'parts = { _transport = "acme.transport.Transprot" }\n')
