"""The `lintkit` command as a user runs it (a subprocess), and flake8's options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lintkit import __version__
from lintkit.checks import ALL_CHECKS
from lintkit.generators.docs import render_rule_page

ROOT = Path(__file__).parent.parent
SEED = 'import qpid.messaging\nconn = qpid.messaging.Connection("b", heartbeat=30)\nconn.hearbeat = 1\n'
BAD_SCHEMA = """format = 1
[library]
name = "acme"
distribution = "acme"
version = "1"
source = "test"
[[class]]
name = "acme.Client"
attributes = ["endpoint"]
unknown_kwarg = "raises"
"""


def lintkit(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lintkit", *args], capture_output=True, text=True,
                          input=stdin, cwd=cwd)


def test_version() -> None:
    assert lintkit("--version").stdout.strip() == f"lintkit {__version__}"


def test_bundled_example_reproduces_the_seed_bug() -> None:
    completed = lintkit("check", "examples")
    assert completed.returncode == 1
    assert ("examples/qpid_driver.py:25:25: LK101 [*] 'hearbeat' is not an attribute of "
            "qpid.messaging.Connection; did you mean 'heartbeat'?") in completed.stdout.splitlines()
    assert "examples/friends.py:11:52: LK102 [*] 'hearbeat' is not a keyword argument of kombu.Connection; " \
           "did you mean 'heartbeat'?" in completed.stdout.splitlines()
    assert ("examples/qpid_driver.py:20:27: LK204 qpid.messaging.Connection has no heartbeat by default: "
            "pass heartbeat=30 (seconds)") in completed.stdout.splitlines()
    assert completed.stderr.splitlines()[-2:] == [
        "Found 9 findings.",
        "[*] 3 fixable with the `--fix` option (2 hidden fixes can be enabled with the `--unsafe-fixes` option)."]


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(SEED.replace("hearbeat", "heartbeat"))
    completed = lintkit("check", str(tmp_path))
    assert (completed.returncode, completed.stdout) == (0, "")
    assert completed.stderr.strip() == "All checks passed!"


def test_stdin_with_filename() -> None:
    completed = lintkit("check", "-", "--stdin-filename", "src/app.py", stdin=SEED + "conn.x = 1  # noqa\n")
    assert completed.returncode == 1
    assert completed.stdout.startswith("src/app.py:3:6: LK101 [*] 'hearbeat'")
    assert completed.stdout.count("\n") == 1


@pytest.mark.parametrize("args, expected", [
    (["--select", "LK102"], 0),
    (["--ignore", "LK101"], 0),
    (["--select", "LK1", "--ignore", "LK101"], 0),
    (["--select", "LK", "--ignore", "LK1", "--select", "LK101"], 1),
    (["--exit-zero"], 0),
])
def test_select_ignore_exit_zero(tmp_path: Path, args: list[str], expected: int) -> None:
    (tmp_path / "seed.py").write_text(SEED)
    assert lintkit("check", str(tmp_path), *args).returncode == expected


def test_unknown_rule_code_is_a_usage_error(tmp_path: Path) -> None:
    completed = lintkit("check", str(tmp_path), "--select", "LK999")
    assert completed.returncode == 2
    assert completed.stderr == "lintkit: error: --select: unknown rule code 'LK999'\n"


def test_user_schema(tmp_path: Path) -> None:
    schema = tmp_path / "acme.toml"
    schema.write_text(BAD_SCHEMA.replace("unknown_kwarg", "unknown_kwargs"))
    (tmp_path / "app.py").write_text("import acme\nc = acme.Client()\nc.endpiont = 1\n")
    completed = lintkit("check", str(tmp_path / "app.py"), "--schemas", str(schema))
    assert completed.stdout.endswith("app.py:3:3: LK101 [*] 'endpiont' is not an attribute of acme.Client; "
                                     "did you mean 'endpoint'?\n")


def test_malformed_user_schema_is_one_clear_error(tmp_path: Path) -> None:
    schema = tmp_path / "acme.toml"
    schema.write_text(BAD_SCHEMA)
    completed = lintkit("check", str(tmp_path), "--schemas", str(schema))
    assert completed.returncode == 2
    assert completed.stderr == (f"lintkit: error: {schema}: class 'acme.Client'.unknown_kwarg: unknown key; "
                                "did you mean 'unknown_kwargs'?\n")


def test_malformed_user_schema_under_flake8(tmp_path: Path) -> None:
    schema = tmp_path / "acme.toml"
    schema.write_text(BAD_SCHEMA)
    (tmp_path / "app.py").write_text(SEED)
    completed = subprocess.run([sys.executable, "-m", "flake8", f"--lintkit-schemas={schema}", str(tmp_path)],
                               capture_output=True, text=True)
    assert completed.returncode != 0
    assert "class 'acme.Client'.unknown_kwarg: unknown key" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_flake8_user_schema_from_config(tmp_path: Path) -> None:
    schema = tmp_path / "schemas" / "acme.toml"
    schema.parent.mkdir()
    schema.write_text(BAD_SCHEMA.replace("unknown_kwarg", "unknown_kwargs"))
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = LK\nlintkit-schemas = schemas/\n")
    (tmp_path / "app.py").write_text("import acme\nc = acme.Client()\nc.endpiont = 1\n")
    completed = subprocess.run([sys.executable, "-m", "flake8", "app.py"], capture_output=True, text=True,
                               cwd=tmp_path)
    assert completed.stdout == "app.py:3:3: LK101 'endpiont' is not an attribute of acme.Client; " \
                               "did you mean 'endpoint'?\n"


def test_rules_table() -> None:
    lines = lintkit("rules").stdout.splitlines()
    assert lines[0].split() == ["code", "name", "fix", "default", "summary"]
    assert [line.split()[:4] for line in lines[1:]] == [
        [c.code, c.name, c.fix_availability, "on" if c.default_enabled else "off"] for c in ALL_CHECKS]


@pytest.mark.parametrize("code", ["LK101", "lk102"])
def test_rule_prints_its_docs_page(code: str) -> None:
    check = next(c for c in ALL_CHECKS if c.code == code.upper())
    assert lintkit("rule", code).stdout == render_rule_page(check)


def test_rule_unknown() -> None:
    completed = lintkit("rule", "LK999")
    assert completed.returncode == 2 and "no rule LK999" in completed.stderr


def test_schema_validate(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(BAD_SCHEMA.replace("unknown_kwarg", "unknown_kwargs"))
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_SCHEMA)
    assert lintkit("schema", "validate", str(good)).stdout == f"{good}: ok (1 class, 0 factories)\n"
    completed = lintkit("schema", "validate", str(bad))
    assert completed.returncode == 2 and "unknown_kwarg: unknown key" in completed.stderr


THREE_PROBLEMS = BAD_SCHEMA.replace('attributes = ["endpoint"]', 'attributes = "endpoint"') + """
[[class.knob]]
concept = "heartbeet"
kwarg = "heartbeat"
unit = "s"
"""


def test_schema_validate_reports_every_problem_of_a_file_and_no_ok(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(THREE_PROBLEMS)
    good = tmp_path / "good.toml"
    good.write_text(BAD_SCHEMA.replace("unknown_kwarg", "unknown_kwargs").replace("acme", "other"))
    completed = lintkit("schema", "validate", str(bad), str(good))
    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [
        f"lintkit: error: {bad}: class 'acme.Client'.unknown_kwarg: unknown key; did you mean 'unknown_kwargs'?",
        f"lintkit: error: {bad}: class 'acme.Client'.attributes: must be a list of strings",
        f"lintkit: error: {bad}: class 'acme.Client'.knob[0].concept: must be one of health_check, heartbeat, "
        "idle_close, keepalive, keepalive_count, keepalive_idle, keepalive_interval, keepalive_options, user_timeout, "
        "not 'heartbeet'",
    ]
    assert completed.stdout == f"{good}: ok (1 class, 0 factories)\n", "no 'ok' for the bad file"


def test_schema_validate_says_ok_only_after_the_cross_file_checks(tmp_path: Path) -> None:
    clash = tmp_path / "clash.toml"
    clash.write_text(BAD_SCHEMA.replace("unknown_kwarg", "unknown_kwargs").replace("acme.Client", "kombu.Connection")
                     + '[[factory]]\nname = "acme.connect"\nreturns = "acme.Nope"\n')
    completed = lintkit("schema", "validate", str(clash))
    assert completed.returncode == 2 and completed.stdout == ""
    errors = completed.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"lintkit: error: {clash}: 'kombu.Connection' is already defined in ")
    assert errors[1] == f"lintkit: error: {clash}: factory 'acme.connect'.returns: no schema class 'acme.Nope'"


def test_a_bad_user_schema_stops_check_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(THREE_PROBLEMS)
    completed = lintkit("check", "--schemas", str(bad), "examples")
    assert completed.returncode == 2 and completed.stdout == ""
    assert len(completed.stderr.splitlines()) == 3
    assert all(line.startswith(f"lintkit: error: {bad}: ") for line in completed.stderr.splitlines())


def test_schema_list_shows_bundled_libraries() -> None:
    listing = lintkit("schema", "list").stdout
    for library in ("qpid.messaging", "kombu", "redis", "paramiko", "socket"):
        assert f"\n{library} " in "\n" + listing


def test_parallel_run_matches_serial(tmp_path: Path) -> None:
    for i in range(80):
        (tmp_path / f"m{i:02}.py").write_text(SEED if i % 3 == 0 else "import os\n")
    serial = lintkit("check", str(tmp_path), "-j", "1")
    parallel = lintkit("check", str(tmp_path), "-j", "2")
    assert serial.stdout == parallel.stdout
    assert serial.stdout.count("LK101") == 27


def test_wheel_ships_the_schemas(tmp_path: Path) -> None:
    """pre-commit installs the wheel into an isolated venv: the schemas must be inside it."""
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("lintkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = {f"lintkit/rules/{p.name}" for p in (ROOT / "rules").glob("*.toml")}
    assert bundled and bundled <= names


def test_schema_show() -> None:
    library = lintkit("schema", "show", "qpid.messaging").stdout
    assert library.startswith("qpid.messaging 1.36.0.post1 (qpid-python)\n")
    assert "class qpid.messaging.endpoints.Connection\n  aliases: qpid.messaging.Connection\n" in library
    assert "factory qpid.messaging.Connection.establish -> qpid.messaging.endpoints.Connection" in library
    by_alias = lintkit("schema", "show", "redis.StrictRedis").stdout
    assert by_alias.startswith("\nclass redis.client.Redis\n")
    grpc = lintkit("schema", "show", "grpc").stdout
    assert ("  knob heartbeat: options 'grpc.keepalive_time_ms' (ms), default 2147483647, "
            "requires ('grpc.keepalive_permit_without_calls', 1)\n") in grpc
    missing = lintkit("schema", "show", "nope")
    assert missing.returncode == 2 and "no schema library, class or factory named 'nope'" in missing.stderr


def git_repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_pyproject_config_is_found_from_the_checked_path(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lintkit]\nextend-exclude = ["generated/"]\n[tool.lintkit.per-file-ignores]\n"tests/" = ["LK101"]\n')
    for sub in ("src", "tests", "generated"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "seed.py").write_text(SEED)
    completed = lintkit("check", str(tmp_path))
    assert [line.split(":")[0] for line in completed.stdout.splitlines()] == [str(tmp_path / "src" / "seed.py")]
    isolated = lintkit("check", "--isolated", str(tmp_path))
    assert isolated.stdout.count("LK101") == 3


def test_unknown_config_key_suggests_the_right_one(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lintkit]\nmax-idle-secs = 300\n")
    completed = lintkit("check", str(tmp_path))
    assert completed.returncode == 2
    assert "max-idle-secs: unknown key; did you mean 'max-idle-seconds'?" in completed.stderr


def test_gitignore_and_force_exclude(tmp_path: Path) -> None:
    git_repo(tmp_path)
    (tmp_path / ".gitignore").write_text("ignored/\nscratch_*.py\n")
    (tmp_path / "ignored").mkdir()
    for name in ("ignored/seed.py", "scratch_seed.py", "kept.py"):
        (tmp_path / name).write_text(SEED)
    walked = lintkit("check", ".", cwd=tmp_path)
    assert walked.stdout.splitlines() == [line for line in walked.stdout.splitlines() if "kept.py" in line]
    assert walked.stdout.count("LK101") == 1
    named = lintkit("check", "scratch_seed.py", "ignored/seed.py", cwd=tmp_path)
    assert named.stdout.count("LK101") == 2  # files named explicitly are checked...
    forced = lintkit("check", "--force-exclude", "scratch_seed.py", "ignored/seed.py", cwd=tmp_path)
    assert (forced.returncode, forced.stdout) == (0, "")  # ...unless --force-exclude (pre-commit)


def test_force_exclude_with_config_exclude(tmp_path: Path) -> None:
    (tmp_path / "lintkit.toml").write_text('extend-exclude = ["legacy_*.py"]\n')
    (tmp_path / "legacy_seed.py").write_text(SEED)
    assert lintkit("check", "legacy_seed.py", cwd=tmp_path).returncode == 1
    assert lintkit("check", "--force-exclude", "legacy_seed.py", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_machine_formats_are_json(tmp_path: Path, output_format: str) -> None:
    import json

    (tmp_path / "seed.py").write_text(SEED)
    completed = lintkit("check", "--output-format", output_format, str(tmp_path))
    assert completed.returncode == 1
    document = json.loads(completed.stdout)
    if output_format == "json":
        (finding,) = document
        assert (finding["code"], finding["location"], finding["fix"]["applicability"]) == \
               ("LK101", {"row": 3, "column": 6}, "safe")
    else:
        (result,) = document["runs"][0]["results"]
        assert result["ruleId"] == "LK101"


def test_github_format(tmp_path: Path) -> None:
    (tmp_path / "seed.py").write_text(SEED)
    completed = lintkit("check", "--output-format", "github", "seed.py", cwd=tmp_path)
    assert completed.stdout.startswith("::error title=lintkit (LK101),file=seed.py,line=3,col=6,")


def test_no_colour_when_not_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "seed.py").write_text(SEED)
    assert "\x1b[" not in lintkit("check", str(tmp_path)).stdout


@pytest.mark.parametrize("no_color, coloured", [(None, True), ("1", False)])
def test_colour_on_a_terminal_unless_no_color(tmp_path: Path, no_color: str | None, coloured: bool) -> None:
    import os
    import pty

    (tmp_path / "seed.py").write_text(SEED)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    subprocess.run([sys.executable, "-m", "lintkit", "check", str(tmp_path)], stdout=follower,
                   stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    os.close(follower)
    output = os.read(leader, 65536).decode()
    os.close(leader)
    assert "LK101" in output
    assert ("\x1b[" in output) == coloured


def test_directory_named_explicitly_is_walked_even_if_git_ignores_it(tmp_path: Path) -> None:
    git_repo(tmp_path)
    (tmp_path / ".gitignore").write_text("/versions\n")
    target = tmp_path / "versions" / "lib"
    target.mkdir(parents=True)
    (target / "seed.py").write_text(SEED)
    completed = lintkit("check", str(target))
    assert completed.stdout.startswith(f"{target / 'seed.py'}:3:6: LK101")


def test_a_closed_pipe_ends_the_run_quietly(tmp_path: Path) -> None:
    # `lintkit check | head -1`: the reader goes away after one line of a long report.
    (tmp_path / "many.py").write_text(
        "import qpid.messaging\nconn = qpid.messaging.Connection('b', heartbeat=30)\n" + "conn.hearbeat = 1\n" * 3000)
    process = subprocess.Popen([sys.executable, "-m", "lintkit", "check", str(tmp_path)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(str(tmp_path).encode())
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 2
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


# ====================================================================== small things (issue 10)

def test_rule_by_name_as_listed_by_rules() -> None:
    completed = lintkit("rule", "socket-without-keepalive")
    assert completed.returncode == 0 and completed.stdout.startswith("# LK201: socket-without-keepalive")


def test_help_has_no_stray_backtick() -> None:
    assert "`" not in lintkit("--help").stdout


def test_missing_path_is_one_error_line_and_exit_1(tmp_path: Path) -> None:
    completed = lintkit("check", "--isolated", str(tmp_path / "nope"), cwd=tmp_path)
    assert completed.returncode == 1
    assert f"lintkit: error: {tmp_path / 'nope'}: no such file or directory" in completed.stderr
    assert ":1:1:" not in completed.stderr


def test_a_folder_without_python_files_says_nothing_was_checked(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    completed = lintkit("check", "--isolated", "empty", cwd=tmp_path)
    assert completed.returncode == 0
    assert "no Python files found in empty; nothing was checked" in completed.stderr


def test_a_virtual_environment_by_any_name_is_not_linted(tmp_path: Path) -> None:
    env = tmp_path / "env311" / "lib"
    env.mkdir(parents=True)
    (tmp_path / "env311" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (env / "typo.py").write_text("import qpid.messaging\nc = qpid.messaging.Connection('b')\nc.hearbeat = 3\n")
    (tmp_path / "app.py").write_text("import qpid.messaging\nc = qpid.messaging.Connection('b')\nc.hearbeat = 3\n")
    completed = lintkit("check", "--isolated", "--select", "LK101", ".", cwd=tmp_path)
    assert "app.py:3:3: LK101" in completed.stdout and "typo.py" not in completed.stdout


def test_the_command_runs_the_exit_handlers_before_it_leaves(tmp_path: Path) -> None:
    """`lintkit` leaves without tearing the interpreter down (cli.console_main), but what the
    exit handlers keep for the next run is written: the project index's answers."""
    import json
    import os

    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "conn.py").write_text("import qpid.messaging\n\n\ndef connect(url):\n"
                                 "    return qpid.messaging.Connection(url)\n")
    (app / "user.py").write_text("from app.conn import connect\n\nconnect('b').hearbeat = 1\n")
    env = dict(os.environ, LINTKIT_CACHE_DIR=str(tmp_path / "cache"))
    completed = subprocess.run([sys.executable, "-m", "lintkit", "check", "--isolated", "-j", "1", str(app)],
                               capture_output=True, text=True, cwd=tmp_path, env=env)
    assert completed.returncode == 1 and "user.py:3:14: LK101" in completed.stdout, completed
    (facts,) = (tmp_path / "cache" / "project").glob("modules-*.json")
    assert str(app / "conn.py") in json.loads(facts.read_text())


def test_the_command_imports_its_front_end_with_the_collector_paused() -> None:
    """lintkit.__main__.run (the `lintkit` command): the collector is off while the front end
    is imported, and on again when it runs, with the imported objects in its permanent generation."""
    code = (
        "import gc, sys\n"
        "import lintkit.__main__ as entry\n"
        "assert 'lintkit.frontends.cli' not in sys.modules\n"
        "class Probe:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'lintkit.frontends.cli':\n"
        "            print('importing:', gc.isenabled(), flush=True)\n"
        "sys.meta_path.insert(0, Probe())\n"
        "import atexit\n"
        "atexit.register(lambda: print('running:', gc.isenabled(), gc.get_freeze_count() > 1000, flush=True))\n"
        "sys.argv = ['lintkit', 'rules']\n"
        "entry.run()\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("importing: False\n")
    assert completed.stdout.endswith("running: True True\n")  # on, the imported objects frozen
    assert "LK201" in completed.stdout


def _subcommands(parser) -> dict:
    (commands,) = [action for action in parser._actions if action.dest == "command"]
    return commands.choices


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_commands_own_parser_is_the_same_as_in_the_whole_command_line(command: str) -> None:
    """main() builds only the parser of `check` or `fix` when that is the command: the same help,
    options and defaults as in the whole command line."""
    from lintkit.frontends.cli import build_parser

    whole, own = _subcommands(build_parser())[command], _subcommands(build_parser(command))[command]
    assert own.format_help() == whole.format_help()
    assert vars(own.parse_args(["x.py"])) == vars(whole.parse_args(["x.py"]))
    assert list(_subcommands(build_parser(command))) == [command]
