"""The settings for each checked file: its closest configuration, as ruff does.

One mechanism for every front end (`lintkit check` and `fix`, the codemod, the
flake8 plugin and so pre-commit): a file is governed by the configuration
found walking up from its directory (`config.find_config`), so
`lintkit check svc_a svc_b` judges each service by its own pyproject.toml and a
monorepo root honours its subprojects' files.  An explicit config file
overrides them all; `isolated` ignores them all.  Command-line (or flake8)
overrides are applied on top of each file's settings.

Lookups are cached per directory and per config file, so the walk up and the
parse happen once per directory and once per file, however many files a run
checks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from .config import Settings, config_in_directory, load_settings, merge_cli

class SettingsResolver:
    def __init__(self, *, config: str | os.PathLike[str] | None = None, isolated: bool = False,
                 overrides: Mapping[str, Any] | None = None, origin: str = "cli"):
        self.config = config
        self.isolated = isolated
        self.overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        self.origin = origin
        merge_cli(Settings(), origin=origin, **self.overrides)  # a bad flag is an error before any file
        self._config_of_dir: dict[str, Path | None] = {}
        self._settings_of_config: dict[Path | None, Settings] = {}
        if config is not None or isolated:
            self._fixed: Settings | None = self._merged(load_settings(config, isolated=isolated))
        else:
            self._fixed = None

    def for_file(self, path: str | os.PathLike[str]) -> Settings:
        """The settings governing a file (need not exist), or a directory's entries when
        walking it (a directory itself is excluded or not by the settings of its parent)."""
        if self._fixed is not None:
            return self._fixed
        return self.for_directory(os.path.dirname(os.path.abspath(path)))

    def for_directory(self, directory: str) -> Settings:
        if self._fixed is not None:
            return self._fixed
        config = self._config_for(os.path.abspath(directory))
        settings = self._settings_of_config.get(config)
        if settings is None:
            settings = self._settings_of_config[config] = self._merged(load_settings(config))
        return settings

    def excluded(self, path: str, is_dir: bool) -> bool:
        """For files.iter_source_files: whether the closest configuration excludes `path`."""
        return self.for_file(path).is_excluded(path, is_dir=is_dir)

    def included(self, path: str) -> bool:
        """For files.iter_source_files: whether the closest configuration's extend-include names `path`."""
        return self.for_file(path).is_included(path)

    def _merged(self, settings: Settings) -> Settings:
        return merge_cli(settings, origin=self.origin, **self.overrides) if self.overrides else settings

    def _config_for(self, directory: str) -> Path | None:
        """config.find_config(directory), remembering every directory on the way up."""
        cache = self._config_of_dir
        walked: list[str] = []
        current = directory
        while current not in cache:
            walked.append(current)
            found = config_in_directory(current)
            if found is not None:
                cache[current] = found
                break
            parent = os.path.dirname(current)
            if parent == current:
                cache[current] = None
                break
            current = parent
        result = cache[current]
        for directory_on_the_way in walked:
            cache[directory_on_the_way] = result
        return result

