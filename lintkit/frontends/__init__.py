"""The front ends and what they share: configuration, the runner, the fixer, output formats, the CLI and the flake8 plugin."""
