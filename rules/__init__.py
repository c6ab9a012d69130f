"""Bundled library schemas (TOML data, shipped as lintkit.rules)."""
