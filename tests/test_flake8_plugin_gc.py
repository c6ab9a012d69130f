"""Under flake8, the schemas and engine the plugin loads move to the collector's permanent
generation (flake8_plugin.Plugin.parse_options): flake8's passes over its oldest generation
would otherwise walk them again and again (about 0.6 s over the standard library)."""

from __future__ import annotations

import gc
from pathlib import Path

from flake8.main.application import Application


def test_parse_options_freezes_the_loaded_objects(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text("import os\n")
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        application = Application()
        application.initialize(["--isolated", str(target)])  # loads the plugins, then their options
        assert any(plugin.entry_name == "LK" for plugin in application.plugins.all_plugins())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
