"""Project settings: `[tool.lintkit]` in pyproject.toml, or a lintkit.toml.

Discovery follows ruff: each checked file is governed by its closest
configuration (lintkit.frontends.resolver), found walking up from the file to the first
directory holding `.lintkit.toml`, `lintkit.toml` (top-level keys) or a
`pyproject.toml` that has a `[tool.lintkit]` table (one without the table is
skipped).

Every malformed setting raises ConfigError naming the file and the key, with a
did-you-mean for a misspelt key or rule code: a typo in the linter's own
configuration must not be silently ignored -- the tool must not have the bug
class it exists to catch.

Path patterns (`exclude`, `extend-exclude`, `per-file-ignores`) use
.gitignore syntax, matched against the path relative to the directory holding
the config file (`root`): a pattern without a slash (`__init__.py`, `build`,
`*.pyi`) matches any path component; one with a slash (`tests/*.py`,
`**/migrations/*`, `/setup.py`) is anchored at the root.  A per-file-ignores
pattern starting with `!` applies to the files it does *not* match (ruff).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..checks import CHECKS_BY_CODE
from ..checks.base import DEFAULT_MAX_IDLE_SECONDS, RuleOptions
from ..reading.files import DEFAULT_EXCLUDES
from ..analysis.suggest import did_you_mean, suggest
from ..liveness.test_code import DEFAULT_TEST_CODE_IGNORE, DEFAULT_TEST_CODE_PATHS

if TYPE_CHECKING:
    import pathspec

#: Every code a configuration may name (or name a prefix of).
KNOWN_CODES: frozenset[str] = frozenset(CHECKS_BY_CODE)

#: What `exclude` replaces (files.py's directory names, plus the walker's *.egg-info).
DEFAULT_EXCLUDE_PATTERNS: tuple[str, ...] = tuple(sorted(DEFAULT_EXCLUDES)) + ("*.egg-info",)

#: Config file names, in order of precedence within one directory.
CONFIG_FILES: tuple[str, ...] = (".lintkit.toml", "lintkit.toml", "pyproject.toml")



class ConfigError(ValueError):
    """A configuration file or flag is malformed; the message names the file (or flag) and the key."""


# --------------------------------------------------------------------------- the option table


@dataclass(frozen=True)
class OptionSpec:
    """One setting: its config key, how it is typed and documented, and its flags.

    kind: "codes" (rule-code prefixes), "patterns" (gitignore-style), "paths"
    (resolved against the config file's directory), "per-file-ignores"
    (pattern -> codes), "int" (positive), "bool".
    """

    key: str
    kind: str
    default: Any
    help: str
    cli_flag: str | None = None
    flake8_name: str | None = None

    @property
    def attr(self) -> str:
        """The Settings field and merge_cli keyword."""
        return self.key.replace("-", "_")

    @property
    def flake8_dest(self) -> str | None:
        """The attribute flake8 stores the option under (`options.lintkit_strict`)."""
        return self.flake8_name.lstrip("-").replace("-", "_") if self.flake8_name else None


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("select", "codes", None,
               "Rule codes or prefixes to enable (replaces the default, which is every default-enabled LK rule).",
               "--select"),
    OptionSpec("extend-select", "codes", (), "Rule codes or prefixes to enable on top of select.",
               "--extend-select"),
    OptionSpec("ignore", "codes", (), "Rule codes or prefixes to disable.", "--ignore"),
    OptionSpec("per-file-ignores", "per-file-ignores", (),
               "Rule codes to disable in the files matching a pattern (a table: pattern = [codes]).", None),
    OptionSpec("exclude", "patterns", None,
               "Path patterns never checked when walking directories (replaces the default list).", "--exclude"),
    OptionSpec("extend-exclude", "patterns", (), "Path patterns to exclude on top of exclude.",
               "--extend-exclude"),
    OptionSpec("max-idle-seconds", "int", DEFAULT_MAX_IDLE_SECONDS,
               "Longest idle time (seconds) a connection may go unprobed: LK2xx rules report keepalive or "
               "heartbeat settings slower than this.",
               "--max-idle-seconds", "--lintkit-max-idle-seconds"),
    OptionSpec("extend-schemas", "paths", (),
               "Extra library schemas: TOML files or directories of them.",
               "--schemas", "--lintkit-schemas"),
    OptionSpec("unsafe-fixes", "bool", False, "Also apply fixes that may change run-time behaviour.",
               "--unsafe-fixes"),
    OptionSpec("test-code-paths", "patterns", None,
               "Path patterns of test code (replaces the default list): the test-code-ignore rules do not "
               "report there.", None, "--lintkit-test-code-paths"),
    OptionSpec("test-code-ignore", "codes", DEFAULT_TEST_CODE_IGNORE,
               "Rule codes or prefixes that do not report in test code: files matching test-code-paths, and "
               "test classes, test functions, fixtures and calls given a mock in any file.",
               None, "--lintkit-test-code-ignore"),
    OptionSpec("strict", "bool", False,
               "Also report short-lived TCP sockets (LK201) and library connections (LK202-LK205), made and "
               "closed within one function or with block, and library behaviour no argument of the call "
               "can change (LK202: PyMySQL's keepalive idle).",
               "--strict", "--lintkit-strict"),
    OptionSpec("doctests", "bool", True,
               "Check the `>>>` examples in docstrings (doctests) of the Python files checked.",
               "--doctests", "--lintkit-doctests"),
    OptionSpec("extend-include", "patterns", (),
               "Path patterns of more files to check when walking directories, on top of *.py and *.pyi: "
               "Markdown (*.md) and reStructuredText (*.rst) files are checked for their Python code blocks.",
               "--extend-include"),
)
OPTIONS_BY_KEY: dict[str, OptionSpec] = {spec.key: spec for spec in OPTIONS}


def flake8_options() -> list[tuple[str, dict[str, Any]]]:
    """(flag, keyword arguments) for flake8's `option_manager.add_option`, one per
    setting flake8 exposes; the value lands on `options.<spec.flake8_dest>`.  Every
    default is None ("not set"), so the project's [tool.lintkit] value applies
    unless flake8's command line or configuration sets the option."""
    result = []
    for spec in OPTIONS:
        if spec.flake8_name is None:
            continue
        kwargs: dict[str, Any] = {"parse_from_config": True, "help": spec.help, "default": None}
        if spec.kind == "bool":
            kwargs.update(action="store_true")
        elif spec.kind == "int":
            kwargs.update(type=int, metavar="N")
        elif spec.kind == "paths":
            kwargs.update(comma_separated_list=True, normalize_paths=True,
                          help=spec.help.rstrip(".") + " (comma-separated).")
        elif spec.kind in ("patterns", "codes"):
            kwargs.update(comma_separated_list=True, help=spec.help.rstrip(".") + " (comma-separated).")
        else:  # pragma: no cover - the table only exposes the kinds above
            raise AssertionError(f"no flake8 mapping for {spec.kind}")
        result.append((spec.flake8_name, kwargs))
    return result


def flake8_overrides(options: Any) -> dict[str, Any]:
    """The `--lintkit-*` options flake8 parsed (command line or flake8 configuration), by
    Settings field; an option not set is absent.  Validated once: a ConfigError names
    the flake8 option (`--lintkit-max-idle-seconds`)."""
    values: dict[str, Any] = {}
    for spec in OPTIONS:
        value = getattr(options, spec.flake8_dest, None) if spec.flake8_dest else None
        if value is None:
            continue
        if spec.kind in ("paths", "patterns", "codes"):
            if isinstance(value, str):
                value = value.split(",")
            value = [p.strip() for p in value if p.strip()]
        values[spec.attr] = value
    merge_cli(Settings(), origin="flake8", **values)
    return values


def settings_from_flake8(options: Any) -> Settings:
    """Settings from flake8's parsed options alone (no project configuration)."""
    return merge_cli(Settings(), origin="flake8", **flake8_overrides(options))


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    #: (pattern, codes) in file order.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: None means DEFAULT_EXCLUDE_PATTERNS.
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    max_idle_seconds: int = DEFAULT_MAX_IDLE_SECONDS
    #: Absolute paths (config entries are resolved against the config file's directory).
    extend_schemas: tuple[Path, ...] = ()
    unsafe_fixes: bool = False
    #: None means test_code.DEFAULT_TEST_CODE_PATHS.
    test_code_paths: tuple[str, ...] | None = None
    test_code_ignore: tuple[str, ...] = DEFAULT_TEST_CODE_IGNORE
    strict: bool = False
    doctests: bool = True
    extend_include: tuple[str, ...] = ()
    #: The config file the settings came from (None: defaults only).
    source: Path | None = None
    #: Patterns are relative to this directory: the config file's, or the working directory.
    root: Path = field(default_factory=lambda: Path(os.path.abspath(os.getcwd())))

    def enabled_for(self, path: str | os.PathLike[str]) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
        """(select, ignore) for Engine / is_selected for one file.

        Within select/extend-select/ignore the longest matching prefix wins (ties
        go to ignore), as in engine.is_selected.  A matching per-file-ignores entry
        always wins: its prefixes are added as every full code they cover.  Test code
        (a file matching a test-code-paths pattern) is one more such entry, ignoring
        the test-code-ignore codes.
        """
        select = self.select
        if self.extend_select:
            select = (select or ("LK",)) + self.extend_select
        ignore = list(self.ignore)
        relative = self._relative(path)
        for pattern, codes in self._path_ignores() if relative not in ("", ".") else ():
            negated = pattern.startswith("!")
            positive = pattern[1:] if negated else pattern
            matched = _may_match(positive, relative) and _spec((positive,)).match_file(relative)
            if matched != negated:
                ignore.extend(_expand(codes))
        return select, tuple(dict.fromkeys(ignore))

    def _path_ignores(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """per-file-ignores, then one entry per test-code-paths pattern."""
        if not self.test_code_ignore:
            return self.per_file_ignores
        paths = DEFAULT_TEST_CODE_PATHS if self.test_code_paths is None else self.test_code_paths
        return self.per_file_ignores + tuple((pattern, self.test_code_ignore) for pattern in paths)

    @property
    def rule_options(self) -> RuleOptions:
        return RuleOptions(self.max_idle_seconds, self.strict, self.test_code_ignore, doctests=self.doctests)

    @property
    def exclude_patterns(self) -> tuple[str, ...]:
        base = DEFAULT_EXCLUDE_PATTERNS if self.exclude is None else self.exclude
        return base + self.extend_exclude

    def is_excluded(self, path: str | os.PathLike[str], *, is_dir: bool | None = None) -> bool:
        """Whether an exclude/extend-exclude pattern matches the path (or one of
        its directories below root).  `is_dir` defaults to asking the file system;
        it matters for patterns with a trailing slash (`build/`)."""
        patterns = self.exclude_patterns
        if not patterns:
            return False
        relative = self._relative(path)
        if relative in ("", "."):
            return False
        if is_dir is None:
            is_dir = os.path.isdir(path)
        return _spec(patterns).match_file(relative + "/" if is_dir else relative)

    def is_included(self, path: str | os.PathLike[str]) -> bool:
        """Whether an extend-include pattern matches the file (walking directories checks it too)."""
        return bool(self.extend_include) and _spec(self.extend_include).match_file(self._relative(path))

    def _relative(self, path: str | os.PathLike[str]) -> str:
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            # Outside root: match against the whole path (anchored patterns then
            # count from the file system root).
            return PurePosixPath(*absolute.parts[1:]).as_posix()


def _may_match(pattern: str, relative: str) -> bool:
    """Whether the gitignore `pattern` may match the file `relative`: False only when it
    cannot, because the path lacks the pattern's plain text (a name without wildcards
    must be one of the path's parts; otherwise each run of characters between wildcards
    and slashes must be in the path).  True whenever unsure (escapes, character classes,
    `.` parts).  Most files match none of the test-code-paths patterns (`tests/`,
    `test_*.py`, ...): they need neither pathspec, nor its import (~6 ms)."""
    pattern = pattern.rstrip(" ")
    if not pattern or any(c in pattern for c in "\\[]\t") or "./" in pattern or "/." in pattern \
            or pattern.startswith((".", "#")):
        return True
    body = pattern.strip("/")
    if "/" not in body and "*" not in body and "?" not in body:
        return body in relative.split("/")
    return all(run in relative for run in body.replace("?", "*").replace("/", "*").split("*") if run)


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> "pathspec.GitIgnoreSpec":
    import pathspec  # imported on first use: it costs ~35 ms of start-up

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _expand(codes: Iterable[str]) -> list[str]:
    """Prefixes -> themselves plus every known full code they cover (so they win any tie)."""
    result: list[str] = []
    for code in codes:
        result.append(code)
        result.extend(sorted(k for k in KNOWN_CODES if k.startswith(code) and k != code))
    return result


# --------------------------------------------------------------------------- discovery and loading


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The config file governing `start` (a file or directory, need not exist):
    the nearest directory, walking up to the file system root, holding
    .lintkit.toml, lintkit.toml, or a pyproject.toml with a [tool.lintkit] table."""
    current = Path(os.path.abspath(start))
    if not current.is_dir():
        current = current.parent
    for directory in (current, *current.parents):
        found = config_in_directory(directory)
        if found is not None:
            return found
    return None


def config_in_directory(directory: str | os.PathLike[str]) -> Path | None:
    """The config file of this directory itself, if any (in the order of CONFIG_FILES)."""
    for name in CONFIG_FILES:
        candidate = Path(directory, name)
        if not candidate.is_file():
            continue
        if name != "pyproject.toml" or _lintkit_table(_read_toml(candidate), candidate) is not None:
            return candidate
    return None


def load_settings(path: str | os.PathLike[str] | None, *, isolated: bool = False) -> Settings:
    """Settings from exactly this file (None: defaults, root = working directory).

    A pyproject.toml must have a [tool.lintkit] table; a lintkit.toml (any other
    name) has the keys at the top level.  `isolated` ignores every file and cannot
    be combined with an explicit one.
    """
    if isolated:
        if path is not None:
            raise ConfigError(f"{_display(Path(path))}: cannot be used with --isolated "
                              f"(which ignores all config files)")
        return Settings()
    if path is None:
        return Settings()
    source = Path(os.path.abspath(path))
    if not source.is_file():
        raise ConfigError(f"{_display(source)}: no such config file")
    data = _read_toml(source)
    if source.name == "pyproject.toml":
        table = _lintkit_table(data, source)
        if table is None:
            raise ConfigError(f"{_display(source)}: no [tool.lintkit] table")
        where = "[tool.lintkit]"
    else:
        table = data
        where = ""
        if "tool" in table and isinstance(table["tool"], dict) and "lintkit" in table["tool"]:
            raise ConfigError(f"{_display(source)}: tool: unknown key; in {source.name} the settings are "
                              f"top-level keys, without a [tool.lintkit] table")
    return _parse(table, source, where)


def discover_settings(start: str | os.PathLike[str], *, config: str | os.PathLike[str] | None = None,
                      isolated: bool = False) -> Settings:
    """What the CLI does: --config if given, else the file found from `start`."""
    if isolated or config is not None:
        return load_settings(config, isolated=isolated)
    return load_settings(find_config(start))


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when a configuration file is read: pure Python, costly to import

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc}") from None


def _lintkit_table(data: Mapping[str, Any], path: Path) -> dict[str, Any] | None:
    tool = data.get("tool")
    if not isinstance(tool, dict) or "lintkit" not in tool:
        return None
    table = tool["lintkit"]
    if not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: tool.lintkit: expected a table, got {_type_name(table)}")
    return table


def _parse(table: Mapping[str, Any], source: Path, where: str) -> Settings:
    prefix = f"{_display(source)}: {where + ' ' if where else ''}"
    root = source.parent
    values: dict[str, Any] = {}
    for key, value in table.items():
        spec = OPTIONS_BY_KEY.get(key)
        if spec is None:
            raise ConfigError(f"{prefix}{key}: unknown key{_key_hint(key)}")
        values[spec.attr] = _convert(spec, value, f"{prefix}{key}", root)
    return Settings(**values, source=source, root=root)


def _key_hint(key: str) -> str:
    kebab = key.replace("_", "-")
    if kebab in OPTIONS_BY_KEY:
        return f"; did you mean '{kebab}'? (keys are kebab-case)"
    return did_you_mean(_closest(key, OPTIONS_BY_KEY))


def _convert(spec: OptionSpec, value: Any, context: str, root: Path) -> Any:
    """A config (or flag) value checked and converted to the Settings field's type."""
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{context}: expected true or false, got {_type_name(value)} {value!r}")
        return value
    if spec.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{context}: expected an integer number of seconds, got {_type_name(value)} {value!r}")
        if value <= 0:
            raise ConfigError(f"{context}: must be positive, got {value}")
        return value
    if spec.kind == "per-file-ignores":
        if not isinstance(value, dict):
            raise ConfigError(f"{context}: expected a table of pattern = [codes], got {_type_name(value)}")
        entries = []
        for pattern, codes in value.items():
            if not pattern.strip() or pattern == "!":
                raise ConfigError(f"{context}: empty pattern")
            _check_patterns([pattern.removeprefix("!")], f"{context} {pattern!r}")
            entries.append((pattern, _check_codes(_strings(codes, f"{context} {pattern!r}"), f"{context} {pattern!r}")))
        return tuple(entries)
    items = _strings(value, context)
    if spec.kind == "codes":
        return _check_codes(items, context)
    if spec.kind == "patterns":
        return _check_patterns(items, context)
    if spec.kind == "paths":
        return tuple(Path(os.path.abspath(root / os.path.expanduser(p))) for p in items)
    raise AssertionError(spec.kind)  # pragma: no cover


def _strings(value: Any, context: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ConfigError(f'{context}: expected a list of strings, got a string; write ["{value}"]')
    if not isinstance(value, list):
        raise ConfigError(f"{context}: expected a list of strings, got {_type_name(value)} {value!r}")
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(f"{context}: expected a list of strings, got {_type_name(item)} {item!r} in the list")
    return tuple(value)


def _closest(name: str, candidates: Iterable[str]) -> list[str]:
    result = suggest(name, candidates, {}, {})
    return list(getattr(result, "names", result))  # a Suggestion, or a plain list of names


def _check_codes(codes: Iterable[str], context: str) -> tuple[str, ...]:
    codes = tuple(codes)
    for code in codes:
        if not code or not any(known.startswith(code) for known in KNOWN_CODES):
            hint = did_you_mean(_closest(code, KNOWN_CODES)) if code else ""
            raise ConfigError(f"{context}: unknown rule code {code!r}{hint}")
    return codes


def _check_patterns(patterns: Iterable[str], context: str) -> tuple[str, ...]:
    patterns = tuple(patterns)
    for pattern in patterns:
        try:
            _spec((pattern,))
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{context}: invalid pattern {pattern!r}: {exc}") from None
    return patterns


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "float", str: "string", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path) if Path(os.path.abspath(path)).is_relative_to(Path.cwd()) else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


# --------------------------------------------------------------------------- command-line overrides


def merge_cli(settings: Settings, *, origin: str = "cli", **overrides: Any) -> Settings:
    """Settings with command-line flags applied; a None (or absent) flag keeps the file's value.

    `origin` "flake8": the values are flake8's `--lintkit-*` options, and errors name those.

    Keywords are the Settings field names (select, ignore, extend_select, exclude,
    extend_exclude, max_idle_seconds, extend_schemas, unsafe_fixes, strict, doctests, extend_include, and the
    flake8-only test_code_paths and test_code_ignore, which replace the file's).
    Codes and patterns are validated (ConfigError names the flag).  Rule
    selection is layered as in ruff: the command line is applied after the file.
      --select         replaces the file's select and extend-select;
      --extend-select  adds, and re-enables codes the file ignored;
      --ignore         adds, and disables codes the file selected, however specific;
      --exclude        replaces the file's exclude; --extend-exclude and --extend-include add;
      --schemas        (extend_schemas) adds to the file's, relative to the working directory.
    Within the command line itself the longest prefix wins, as in the file.
    """
    values = {k: v for k, v in overrides.items() if v is not None}
    unknown = set(values) - {spec.attr for spec in OPTIONS if spec.cli_flag or spec.flake8_name}
    if unknown:
        raise TypeError(f"merge_cli: unknown override {', '.join(sorted(unknown))}")
    flags = {spec.attr: spec for spec in OPTIONS}
    cwd = Path(os.path.abspath(os.getcwd()))
    checked = {}
    for attr, value in values.items():
        spec = flags[attr]
        if spec.kind in ("codes", "patterns", "paths"):
            if isinstance(value, (str, os.PathLike)):
                value = [value]
            value = [os.fspath(v) for v in value]
        flag = spec.flake8_name if origin == "flake8" else spec.cli_flag
        checked[attr] = _convert(spec, value, flag or spec.cli_flag or spec.flake8_name or attr, cwd)

    changes: dict[str, Any] = {}
    cli_select = checked.get("select")
    cli_extend = checked.get("extend_select", ())
    cli_ignore = checked.get("ignore", ())
    if "select" in checked or "extend_select" in checked or "ignore" in checked:
        enabling = (cli_select or ()) + cli_extend
        # File ignores that a command-line select/extend-select covers no longer apply.
        file_ignore = tuple(i for i in settings.ignore if not any(i.startswith(e) for e in enabling))
        if cli_select is not None:
            changes.update(select=cli_select, extend_select=cli_extend, ignore=file_ignore + cli_ignore)
        else:
            file_selected = (settings.select or ()) + settings.extend_select
            # A command-line ignore beats a more specific file select: shadow it with an equal-length ignore.
            shadowed = tuple(s for s in file_selected if any(s.startswith(i) for i in cli_ignore))
            changes.update(extend_select=settings.extend_select + cli_extend,
                           ignore=tuple(dict.fromkeys(file_ignore + cli_ignore + shadowed)))
    if "exclude" in checked:
        changes["exclude"] = checked["exclude"]
    if "extend_exclude" in checked:
        changes["extend_exclude"] = settings.extend_exclude + checked["extend_exclude"]
    if "extend_include" in checked:
        changes["extend_include"] = settings.extend_include + checked["extend_include"]
    if "extend_schemas" in checked:
        changes["extend_schemas"] = settings.extend_schemas + checked["extend_schemas"]
    for attr in ("max_idle_seconds", "unsafe_fixes", "strict", "test_code_paths", "test_code_ignore", "doctests"):
        if attr in checked:
            changes[attr] = checked[attr]
    return replace(settings, **changes)
