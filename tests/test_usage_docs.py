"""docs/usage.md documents every command, option, config key and output format the code has."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from lintkit.frontends.cli import build_parser
from lintkit.frontends.config import OPTIONS
from lintkit.frontends.formats import FORMATS

USAGE = (Path(__file__).parent.parent / "docs" / "usage.md").read_text(encoding="utf-8")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


COMMANDS = _subparsers(build_parser())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command: str) -> None:
    assert f"`lintkit {command}" in USAGE


@pytest.mark.parametrize("flag", sorted(
    flag for name, sub in COMMANDS.items() if name in ("check", "fix")
    for action in sub._actions for flag in action.option_strings if flag.startswith("--") and flag != "--help"
))
def test_every_option_is_documented(flag: str) -> None:
    assert f"`{flag}" in USAGE


@pytest.mark.parametrize("key", [spec.key for spec in OPTIONS])
def test_every_config_key_is_documented(key: str) -> None:
    assert f"| `{key}` |" in USAGE


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_output_format_is_documented(output_format: str) -> None:
    assert f"| `{output_format}` |" in USAGE


@pytest.mark.parametrize("spec", [s for s in OPTIONS if s.flake8_name], ids=lambda s: s.key)
def test_flake8_options_are_documented(spec) -> None:
    assert spec.flake8_name.lstrip("-") in USAGE
