"""lintkit's fixes as a libcst codemod command (the same fixes as `lintkit fix`)."""

from __future__ import annotations

import argparse
import os
from functools import lru_cache
from pathlib import Path

import libcst
from libcst.codemod import CodemodCommand, CodemodContext

from .frontends.config import ConfigError, Settings
from .frontends.fixer import fix_source
from .frontends.resolver import SettingsResolver
from .frontends.runner import engine_for as _engine, fix_spec
from .reading.source import SourceError, decode_source


class LintkitFixError(Exception):
    """The fixes for a file were refused (the message says why); libcst counts it as a failure."""


@lru_cache(maxsize=8)
def _resolver(config: Path | None, isolated: bool, schemas: tuple[str, ...]) -> SettingsResolver:
    """The same per-file configuration as `lintkit fix` (lintkit.frontends.resolver), kept for the run."""
    return SettingsResolver(config=config, isolated=isolated, overrides={"extend_schemas": list(schemas) or None})


def _exact_module(data: bytes) -> libcst.Module:
    """A module whose `.bytes` are exactly `data`.

    libcst drops the final line break of a file with CR-only line breaks
    (`Module.has_trailing_newline` comes out False); set it back.
    """
    module = libcst.parse_module(data)
    if module.bytes != data:
        module = module.with_changes(has_trailing_newline=not module.has_trailing_newline)
    if module.bytes != data:
        raise LintkitFixError("libcst cannot reproduce the file byte-exactly")
    return module


class LintkitFixCommand(CodemodCommand):
    """Apply lintkit's fixes: safe ones, unsafe ones too with `--unsafe-fixes`.

    Run it as (from a directory where `lintkit` is importable):

        python -m libcst.tool codemod --no-format -x lintkit.codemod.LintkitFixCommand PATH...

    `--no-format` is needed: without it libcst pipes every changed file through
    its configured formatter (black by default), which would reformat the code
    (or fail when black is not installed).  Options of the command, after the
    tool's own: `--unsafe-fixes`, and `--lintkit-schemas PATH` (repeatable;
    extra library schemas, as `lintkit check --schemas`).  `-u` prints a diff
    instead of writing.  Files are fixed by `lintkit.frontends.fixer.fix_source` on the
    file's bytes, with the same verification: a refused fix is one warning line
    (the file's other fixes still apply), and a file that cannot be fixed at
    all (undecodable, unparsable) is reported as failed and left untouched.  Unlike `lintkit fix`, libcst
    writes in place (not atomically) and cannot read Python 2 files at all.

    Each file is fixed under the configuration `lintkit fix` would use for it
    (`[tool.lintkit]` or `lintkit.toml`, found walking up from the file):
    select, ignore and per-file-ignores, max-idle-seconds, strict,
    extend-schemas, unsafe-fixes, and exclude/extend-exclude (an excluded file
    is left alone, as `lintkit fix --force-exclude` does).  `--lintkit-config
    FILE` and `--lintkit-isolated` work as `--config` and `--isolated`.
    """

    DESCRIPTION = "Apply lintkit's fixes (safe ones; unsafe ones too with --unsafe-fixes)."

    def __init__(self, context: CodemodContext, unsafe_fixes: bool = False,
                 lintkit_schemas: list[str] | tuple[str, ...] | None = None,
                 lintkit_config: str | None = None, lintkit_isolated: bool = False) -> None:
        super().__init__(context)
        self.unsafe = unsafe_fixes
        self.schemas = tuple(os.path.abspath(p) for p in lintkit_schemas or ())
        self.config = Path(lintkit_config).resolve() if lintkit_config else None
        self.isolated = lintkit_isolated

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--unsafe-fixes", dest="unsafe_fixes", action="store_true",
                                help="also apply unsafe fixes (they may change run-time behaviour)")
        arg_parser.add_argument("--lintkit-schemas", dest="lintkit_schemas", action="append", default=[],
                                metavar="PATH", help="extra lintkit library schema (repeatable)")
        arg_parser.add_argument("--lintkit-config", dest="lintkit_config", metavar="FILE",
                                help="lintkit configuration file (default: found from each file)")
        arg_parser.add_argument("--lintkit-isolated", dest="lintkit_isolated", action="store_true",
                                help="ignore lintkit configuration files")

    def _original(self, tree: libcst.Module) -> bytes:
        """The file's bytes when they are what libcst parsed (libcst loses a CR-only final newline)."""
        filename = self.context.filename
        if filename and os.path.isfile(filename):
            with open(filename, "rb") as handle:
                data = handle.read()
            try:
                text = decode_source(data).text
            except SourceError:
                text = None
            if text is not None and text in (tree.code, tree.code + "\r"):
                return data
        return tree.bytes

    def _settings_for(self, filename: str) -> Settings:
        try:
            return _resolver(self.config, self.isolated, self.schemas).for_file(filename)
        except ConfigError as exc:
            raise LintkitFixError(f"lintkit configuration: {exc}") from None

    def transform_module_impl(self, tree: libcst.Module) -> libcst.Module:
        data = self._original(tree)
        filename = os.path.abspath(self.context.filename) if self.context.filename else "<stdin>"
        settings = self._settings_for(filename)
        if self.context.filename and settings.is_excluded(filename, is_dir=False):
            return tree
        outcome = fix_source(_engine(fix_spec(settings, filename)), data, self.context.filename or "<stdin>",
                             unsafe=self.unsafe or settings.unsafe_fixes)
        if outcome.error is not None:
            raise LintkitFixError(outcome.error)
        for refusal in outcome.refusals:  # the file's other fixes still apply
            self.warn(f"{refusal.finding.line}:{refusal.finding.col + 1}: {refusal.describe()}")
        return _exact_module(outcome.new_bytes if outcome.new_bytes is not None else data)
