"""lintkit/frontends/config.py: discovery, parsing, validation, matching and command-line overrides."""

from __future__ import annotations

import argparse
import configparser
from pathlib import Path

import pytest

from lintkit.checks import CHECKS_BY_CODE
from lintkit.frontends.config import (
    DEFAULT_EXCLUDE_PATTERNS, KNOWN_CODES, OPTIONS, ConfigError, Settings, discover_settings,
    find_config, flake8_options, load_settings, merge_cli, settings_from_flake8,
)
from lintkit.engine import is_selected
from lintkit.reading.files import DEFAULT_EXCLUDES


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pyproject(directory: Path, body: str = "") -> Path:
    return write(directory / "pyproject.toml", f"[project]\nname = 'x'\n[tool.lintkit]\n{body}")


def enabled(settings: Settings, path: str) -> set[str]:
    select, ignore = settings.enabled_for(path)
    return {code for code in sorted(KNOWN_CODES) if is_selected(code, select, ignore)}


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# --------------------------------------------------------------------------- discovery


def test_find_config_walks_up_from_a_file_and_a_directory(tmp_path: Path) -> None:
    config = pyproject(tmp_path)
    deep = tmp_path / "src" / "pkg"
    deep.mkdir(parents=True)
    assert find_config(deep) == config
    assert find_config(deep / "mod.py") == config  # need not exist
    assert find_config(tmp_path) == config


def test_find_config_skips_a_pyproject_without_the_table(tmp_path: Path) -> None:
    config = pyproject(tmp_path, "strict = true\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'sub'\n[tool.ruff]\nline-length = 99\n")
    assert find_config(tmp_path / "sub" / "a.py") == config


def test_find_config_nearest_wins_and_stops_at_the_root(tmp_path: Path) -> None:
    outer = pyproject(tmp_path / "proj")
    inner = pyproject(tmp_path / "proj" / "sub")
    assert find_config(tmp_path / "proj" / "sub" / "a.py") == inner
    assert find_config(tmp_path / "proj" / "other" / "a.py") == outer
    lonely = tmp_path / "elsewhere" / "deep"
    lonely.mkdir(parents=True)
    found = find_config(lonely)  # walks to the file system root without an error
    assert found is None or tmp_path not in found.parents


def test_lintkit_toml_takes_precedence_in_the_same_directory(tmp_path: Path) -> None:
    pyproject(tmp_path)
    plain = write(tmp_path / "lintkit.toml", "strict = true\n")
    assert find_config(tmp_path / "a.py") == plain
    hidden = write(tmp_path / ".lintkit.toml", "strict = false\n")
    assert find_config(tmp_path / "a.py") == hidden
    # but a nearer pyproject with the table beats a lintkit.toml further up
    inner = pyproject(tmp_path / "sub")
    assert find_config(tmp_path / "sub" / "a.py") == inner


def test_lintkit_toml_has_top_level_keys(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path / "lintkit.toml", "max-idle-seconds = 60\n"))
    assert settings.max_idle_seconds == 60
    bad = write(tmp_path / "other" / "lintkit.toml", "[tool.lintkit]\nstrict = true\n")
    with pytest.raises(ConfigError, match=r"tool: unknown key; in lintkit.toml the settings are top-level"):
        load_settings(bad)


def test_explicit_config_is_loaded_exactly(tmp_path: Path) -> None:
    pyproject(tmp_path, "strict = true\n")
    chosen = write(tmp_path / "configs" / "ci.toml", "max-idle-seconds = 30\n")
    settings = discover_settings(tmp_path / "a.py", config=chosen)
    assert settings.source == chosen and settings.max_idle_seconds == 30 and not settings.strict
    assert settings.root == chosen.parent
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match=r"no \[tool.lintkit\] table"):
        load_settings(write(tmp_path / "plain" / "pyproject.toml", "[project]\nname = 'x'\n"))


def test_isolated_ignores_all_files(tmp_path: Path) -> None:
    pyproject(tmp_path, "strict = true\n")
    settings = discover_settings(tmp_path / "a.py", isolated=True)
    assert settings == Settings(root=tmp_path) and settings.source is None
    with pytest.raises(ConfigError, match="--isolated"):
        load_settings(tmp_path / "pyproject.toml", isolated=True)


def test_no_config_means_defaults_rooted_at_the_working_directory(tmp_path: Path) -> None:
    settings = load_settings(None)
    assert settings.root == tmp_path and settings.source is None
    assert settings.select is None and settings.max_idle_seconds == 240
    assert settings.exclude_patterns == DEFAULT_EXCLUDE_PATTERNS


# --------------------------------------------------------------------------- parsing


def test_every_key_is_parsed(tmp_path: Path) -> None:
    config = pyproject(tmp_path / "proj", """\
select = ["LK1"]
ignore = ["LK102"]
extend-select = ["LK201"]
exclude = ["generated"]
extend-exclude = ["legacy/*.py"]
max-idle-seconds = 120
extend-schemas = ["schemas/acme.toml", "/abs/other.toml"]
unsafe-fixes = true
strict = true
test-code-paths = ["qa/", "*_spec.py"]
test-code-ignore = ["LK20", "LK101"]

[tool.lintkit.per-file-ignores]
"tests/*.py" = ["LK101"]
"__init__.py" = ["LK1", "LK2"]
""")
    settings = load_settings(config)
    root = tmp_path / "proj"
    assert settings == Settings(
        select=("LK1",), ignore=("LK102",), extend_select=("LK201",),
        per_file_ignores=(("tests/*.py", ("LK101",)), ("__init__.py", ("LK1", "LK2"))),
        exclude=("generated",), extend_exclude=("legacy/*.py",), max_idle_seconds=120,
        extend_schemas=(root / "schemas" / "acme.toml", Path("/abs/other.toml")),
        unsafe_fixes=True, strict=True, test_code_paths=("qa/", "*_spec.py"), test_code_ignore=("LK20", "LK101"),
        source=config, root=root)


def test_the_option_table_covers_every_settings_field() -> None:
    fields = set(Settings.__dataclass_fields__) - {"source", "root"}
    assert {spec.attr for spec in OPTIONS} == fields
    for spec in OPTIONS:
        assert Settings.__dataclass_fields__[spec.attr].default == spec.default or spec.default == ()


def test_extend_schemas_are_relative_to_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = pyproject(tmp_path / "proj", 'extend-schemas = ["schemas", "../shared/x.toml"]\n')
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    settings = load_settings(config)
    assert settings.extend_schemas == (tmp_path / "proj" / "schemas", tmp_path / "shared" / "x.toml")


@pytest.mark.parametrize("body, message", [
    ("max-idle-secs = 1",
     "pyproject.toml: [tool.lintkit] max-idle-secs: unknown key; did you mean 'max-idle-seconds'?"),
    ("max_idle_seconds = 1", "max_idle_seconds: unknown key; did you mean 'max-idle-seconds'? (keys are kebab-case)"),
    ("exclued = []", "exclued: unknown key; did you mean 'exclude'?"),
    ("per-file-ignore = {}", "per-file-ignore: unknown key; did you mean 'per-file-ignores'?"),
    ("colour = true", "[tool.lintkit] colour: unknown key"),
])
def test_unknown_key_names_file_and_key_and_suggests(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(pyproject(tmp_path, body + "\n"))
    assert message in str(info.value)
    assert str(info.value).startswith("pyproject.toml: ")


@pytest.mark.parametrize("body, message", [
    ('select = "LK101"', 'select: expected a list of strings, got a string; write ["LK101"]'),
    ("ignore = [101]", "ignore: expected a list of strings, got integer 101 in the list"),
    ('max-idle-seconds = "240"', "max-idle-seconds: expected an integer number of seconds, got string '240'"),
    ("max-idle-seconds = 2.5", "max-idle-seconds: expected an integer number of seconds, got float"),
    ("max-idle-seconds = true", "max-idle-seconds: expected an integer number of seconds, got boolean"),
    ("max-idle-seconds = 0", "max-idle-seconds: must be positive"),
    ('strict = "yes"', "strict: expected true or false, got string 'yes'"),
    ("unsafe-fixes = 1", "unsafe-fixes: expected true or false, got integer 1"),
    ('per-file-ignores = ["tests"]', "per-file-ignores: expected a table of pattern = [codes], got list"),
    ('per-file-ignores = {"tests/*" = "LK101"}', "per-file-ignores 'tests/*': expected a list of strings"),
    ("extend-schemas = [1]", "extend-schemas: expected a list of strings"),
    ("exclude = {}", "exclude: expected a list of strings, got table"),
])
def test_wrong_types_name_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(pyproject(tmp_path, body + "\n"))
    assert str(info.value).startswith("pyproject.toml: [tool.lintkit] ")
    assert message in str(info.value)


@pytest.mark.parametrize("body, message", [
    ('select = ["LK999"]', "select: unknown rule code 'LK999'"),
    ('ignore = ["E501"]', "ignore: unknown rule code 'E501'"),
    ('extend-select = ["lk101"]', "extend-select: unknown rule code 'lk101'; did you mean 'LK101'?"),
    ('select = [""]', "select: unknown rule code ''"),
    ('per-file-ignores = {"tests/*" = ["LK3"]}', "per-file-ignores 'tests/*': unknown rule code 'LK3'"),
])
def test_unknown_codes_are_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(pyproject(tmp_path, body + "\n"))
    assert message in str(info.value)


def test_known_codes_and_prefixes_are_accepted(tmp_path: Path) -> None:
    codes = sorted(CHECKS_BY_CODE) + ["LK", "LK1", "LK10", "LK2", "LK20"]
    body = "select = [" + ", ".join(f'"{c}"' for c in codes) + "]\n"
    assert load_settings(pyproject(tmp_path, body)).select == tuple(codes)
    assert {"LK103", "LK201", "LK206"} <= KNOWN_CODES


def test_invalid_toml_and_bad_table_name_the_file(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.lintkit\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML"):
        find_config(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool]\nlintkit = 3\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: tool.lintkit: expected a table, got integer"):
        load_settings(tmp_path / "pyproject.toml")


def test_error_outside_the_working_directory_shows_the_full_path(tmp_path: Path, monkeypatch) -> None:
    config = pyproject(tmp_path / "proj", "bogus = 1\n")
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    with pytest.raises(ConfigError, match=rf"^{str(config)}: \[tool.lintkit\] bogus"):
        load_settings(config)


# --------------------------------------------------------------------------- selection and per-file-ignores


def test_select_extend_select_ignore_merge_with_prefix_semantics() -> None:
    assert Settings().enabled_for("a.py") == (None, ())
    assert enabled(Settings(), "a.py") == KNOWN_CODES
    assert enabled(Settings(extend_select=("LK103",)), "a.py") == KNOWN_CODES
    assert Settings(extend_select=("LK103",)).enabled_for("a.py")[0] == ("LK", "LK103")
    assert enabled(Settings(select=("LK1",), ignore=("LK102",)), "a.py") == {"LK101", "LK103", "LK104", "LK105"}
    assert enabled(Settings(select=("LK101",), ignore=("LK1",)), "a.py") == {"LK101"}  # more specific wins
    assert enabled(Settings(select=("LK101",), extend_select=("LK2",)), "a.py") == {
        "LK101", "LK201", "LK202", "LK203", "LK204", "LK205", "LK206", "LK207"}


def test_per_file_ignores_match_relative_to_root(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, test_code_ignore=(), per_file_ignores=(
        ("tests/*.py", ("LK101",)),
        ("**/migrations/*", ("LK102",)),
        ("__init__.py", ("LK2",)),
        ("!src/**", ("LK103",)),
    ))
    every = set(KNOWN_CODES)
    assert enabled(settings, str(tmp_path / "tests" / "test_a.py")) == every - {"LK101", "LK103"}
    assert enabled(settings, "tests/test_a.py") == every - {"LK101", "LK103"}  # relative to cwd == root here
    assert "LK101" in enabled(settings, "src/tests/test_a.py")  # anchored: only root's tests/
    assert "LK102" not in enabled(settings, "src/app/migrations/0001.py")
    assert "LK102" not in enabled(settings, "migrations/0001.py")
    init = enabled(settings, "src/pkg/__init__.py")
    assert not any(code.startswith("LK2") for code in init) and "LK103" in init
    assert enabled(settings, "src/pkg/mod.py") == every
    assert "LK103" not in enabled(settings, "scripts/run.py")  # negated: everything outside src/


def test_test_code_paths_default_to_test_directories_and_files(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path)
    every = set(KNOWN_CODES)
    typo_rules = {code for code in every if code.startswith("LK1")}
    for path in ("tests/test_a.py", "src/pkg/tests/unit/helpers.py", "test/a.py", "numpy/testing/utils.py",
                 "conftest.py", "src/conftest.py", "pkg/test_client.py", "pkg/client_test.py", "app/tests.py",
                 "t/unit/test_connection.py", "t/integration/common.py"):
        assert enabled(settings, path) == typo_rules, path
    for path in ("src/app.py", "src/testing_tools.py", "pkg/contest.py", "latest/a.py", "attest.py", "st/a.py",
                 "pkg/t.py"):
        assert enabled(settings, path) == every, path
    assert enabled(settings, str(tmp_path)) == every  # the root itself (the CLI's engine selection)


def test_test_code_paths_and_ignore_are_configurable(tmp_path: Path) -> None:
    replaced = Settings(root=tmp_path, test_code_paths=("qa/",))
    assert not any(code.startswith("LK2") for code in enabled(replaced, "qa/a.py"))
    assert "LK204" in enabled(replaced, "tests/a.py")  # the default list is replaced
    narrower = Settings(root=tmp_path, test_code_ignore=("LK204", "LK101"))
    assert enabled(narrower, "tests/a.py") == set(KNOWN_CODES) - {"LK204", "LK101"}
    assert enabled(Settings(root=tmp_path, test_code_ignore=()), "tests/a.py") == set(KNOWN_CODES)
    anchored = Settings(root=tmp_path, test_code_paths=("/tests/",))
    assert "LK204" in enabled(anchored, "src/tests/a.py") and "LK204" not in enabled(anchored, "tests/a.py")
    # per-file-ignores and test code add up
    both = Settings(root=tmp_path, per_file_ignores=(("tests/", ("LK101",)),))
    assert enabled(both, "tests/a.py") == {code for code in KNOWN_CODES if code.startswith("LK1")} - {"LK101"}


def test_test_code_paths_are_relative_to_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A project living under someone's tests/ directory judges its own paths, not the ones above its root.
    config = pyproject(tmp_path / "tests" / "proj")
    settings = load_settings(config)
    assert "LK204" in enabled(settings, str(tmp_path / "tests" / "proj" / "app.py"))
    assert "LK204" not in enabled(settings, str(tmp_path / "tests" / "proj" / "tests" / "test_app.py"))


@pytest.mark.parametrize("body, message", [
    ('test-code-paths = "tests/"', 'test-code-paths: expected a list of strings, got a string'),
    ('test-code-ignore = ["LK9"]', "test-code-ignore: unknown rule code 'LK9'"),
    ('test_code_ignore = []', "did you mean 'test-code-ignore'"),
])
def test_test_code_keys_are_validated(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(pyproject(tmp_path, body + "\n"))


def test_per_file_ignores_win_over_a_more_specific_select(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, select=("LK101", "LK102"), per_file_ignores=(("tests/", ("LK1",)),))
    assert enabled(settings, "tests/deep/test_a.py") == set()
    assert enabled(settings, "src/a.py") == {"LK101", "LK102"}
    select, ignore = settings.enabled_for("tests/deep/test_a.py")
    assert select == ("LK101", "LK102") and {"LK101", "LK102"} <= set(ignore)


def test_root_comes_from_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = pyproject(tmp_path / "proj", '[tool.lintkit.per-file-ignores]\n"tests/*.py" = ["LK101"]\n')
    (tmp_path / "proj" / "tests").mkdir()
    settings = load_settings(config)
    assert "LK101" not in enabled(settings, "proj/tests/t.py")  # cwd is tmp_path, root is proj/
    monkeypatch.chdir(tmp_path / "proj" / "tests")
    assert "LK101" not in enabled(settings, "t.py")


# --------------------------------------------------------------------------- excludes


def test_default_excludes_come_from_files_py(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path)
    assert set(DEFAULT_EXCLUDES) <= set(settings.exclude_patterns)
    assert settings.is_excluded(".venv/lib/x.py")
    assert settings.is_excluded("src/__pycache__", is_dir=True)
    assert settings.is_excluded("pkg.egg-info/x.py")
    assert not settings.is_excluded("src/pkg/mod.py")
    assert not settings.is_excluded(tmp_path)


def test_exclude_replaces_and_extend_exclude_adds(tmp_path: Path) -> None:
    replaced = Settings(root=tmp_path, exclude=("generated",))
    assert replaced.is_excluded("a/generated/x.py")
    assert not replaced.is_excluded(".venv/x.py")  # defaults gone
    extended = Settings(root=tmp_path, extend_exclude=("generated", "legacy/*.py", "/setup.py"))
    assert extended.is_excluded("a/generated/x.py") and extended.is_excluded(".venv/x.py")
    assert extended.is_excluded("legacy/old.py") and not extended.is_excluded("src/legacy/old.py")
    assert extended.is_excluded("setup.py") and not extended.is_excluded("docs/setup.py")


def test_exclude_matches_directories_and_components(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    settings = Settings(root=tmp_path, exclude=("out/", "*_pb2.py"))
    assert settings.is_excluded(tmp_path / "out")  # asks the file system
    assert settings.is_excluded("out/x.py")
    assert not settings.is_excluded("out", is_dir=False)
    assert settings.is_excluded("deep/api_pb2.py")
    assert not Settings(root=tmp_path, exclude=()).is_excluded(".git/x.py")


def test_exclude_from_the_file(tmp_path: Path) -> None:
    settings = load_settings(pyproject(tmp_path, 'extend-exclude = ["fixtures"]\n'))
    assert settings.is_excluded("tests/fixtures/a.py") and settings.is_excluded("build/a.py")


# --------------------------------------------------------------------------- command-line overrides


def test_cli_overrides_scalars_and_lists(tmp_path: Path) -> None:
    base = load_settings(pyproject(tmp_path, """\
exclude = ["gen"]
extend-exclude = ["old"]
max-idle-seconds = 100
extend-schemas = ["s.toml"]
"""))
    merged = merge_cli(base, max_idle_seconds=30, unsafe_fixes=True, strict=True, exclude=["other"],
                       extend_exclude=["more"], extend_schemas=["cli.toml"])
    assert merged.max_idle_seconds == 30 and merged.unsafe_fixes and merged.strict
    assert merged.exclude == ("other",) and merged.extend_exclude == ("old", "more")
    assert merged.extend_schemas == (tmp_path / "s.toml", tmp_path / "cli.toml")
    assert merge_cli(base) == base
    assert merge_cli(base, select=None, strict=None) == base


def test_cli_select_replaces_the_files_selection() -> None:
    file = Settings(select=("LK1",), extend_select=("LK2",), ignore=("LK102",))
    merged = merge_cli(file, select=["LK"])
    assert merged.select == ("LK",) and merged.extend_select == ()
    assert enabled(merged, "a.py") == KNOWN_CODES  # the file's ignore of LK102 is under the new select
    assert enabled(merge_cli(file, select=["LK101"]), "a.py") == {"LK101"}
    assert enabled(merge_cli(file, select=["LK101"], ignore=["LK1"]), "a.py") == {"LK101"}  # same layer


def test_cli_ignore_and_extend_select_are_applied_after_the_file() -> None:
    file = Settings(select=("LK101", "LK102"), ignore=("LK103",))
    assert enabled(merge_cli(file, ignore=["LK1"]), "a.py") == set()
    assert enabled(merge_cli(file, ignore=["LK102"]), "a.py") == {"LK101"}
    assert enabled(merge_cli(file, extend_select=["LK103"]), "a.py") == {"LK101", "LK102", "LK103"}
    assert enabled(merge_cli(Settings(ignore=("LK101",)), extend_select=["LK1"]), "a.py") >= {"LK101", "LK102"}


def test_cli_overrides_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"^--select: unknown rule code 'LK999'"):
        merge_cli(Settings(), select=["LK999"])
    with pytest.raises(ConfigError, match=r"^--max-idle-seconds: must be positive"):
        merge_cli(Settings(), max_idle_seconds=-5)
    with pytest.raises(TypeError, match="per_file_ignores"):
        merge_cli(Settings(), per_file_ignores={})


# --------------------------------------------------------------------------- flake8


def test_flake8_options_register_and_parse_from_config(tmp_path: Path) -> None:
    from flake8.options import config as flake8_config
    from flake8.options.manager import OptionManager

    manager = OptionManager(version="0", plugin_versions="", parents=[], formatter_names=[])
    for name, kwargs in flake8_options():
        manager.add_option(name, **kwargs)
    names = [name for name, _ in flake8_options()]
    assert names == ["--lintkit-max-idle-seconds", "--lintkit-schemas", "--lintkit-test-code-paths",
                     "--lintkit-test-code-ignore", "--lintkit-strict", "--lintkit-doctests"]

    cfg = configparser.RawConfigParser()
    cfg.read_string("[flake8]\nlintkit-max-idle-seconds = 90\nlintkit-strict = true\nlintkit-doctests = false\n"
                    "lintkit-schemas = a.toml, schemas/\nlintkit-test-code-paths = qa/, *_spec.py\n"
                    "lintkit-test-code-ignore = LK20,LK101\n")
    parsed = flake8_config.parse_config(manager, cfg, str(tmp_path))
    manager.parser.set_defaults(**parsed)
    options = manager.parse_args([])
    settings = settings_from_flake8(options)
    assert settings.max_idle_seconds == 90 and settings.strict
    assert settings.extend_schemas == (tmp_path / "a.toml", tmp_path / "schemas")
    assert settings.test_code_paths == ("qa/", "*_spec.py") and settings.test_code_ignore == ("LK20", "LK101")
    assert settings.rule_options.test_code_ignore == ("LK20", "LK101")
    assert settings.doctests is False and settings.rule_options.doctests is False

    fresh = OptionManager(version="0", plugin_versions="", parents=[], formatter_names=[])
    for name, kwargs in flake8_options():
        fresh.add_option(name, **kwargs)
    defaults = settings_from_flake8(fresh.parse_args(["--lintkit-max-idle-seconds", "60"]))
    assert defaults.max_idle_seconds == 60 and not defaults.strict and defaults.extend_schemas == ()
    assert defaults.test_code_paths is None and defaults.test_code_ignore == ("LK2",)
    off = settings_from_flake8(fresh.parse_args(["--lintkit-test-code-ignore=", "--lintkit-test-code-paths="]))
    assert off.test_code_ignore == () and off.test_code_paths == ()
    with pytest.raises(ConfigError, match="--lintkit-test-code-ignore: unknown rule code 'LK9'"):
        settings_from_flake8(fresh.parse_args(["--lintkit-test-code-ignore=LK9"]))
    assert settings_from_flake8(argparse.Namespace()) == Settings(root=defaults.root)
