"""`lintkit schema validate`: every problem of each file, its own and the cross-file ones."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Sequence

from .registry import SchemaSet
from .schema import LibrarySchema, SchemaError, bundled_schema_files, load_schema_file


def validate_files(files: Sequence[str]) -> Iterator[tuple[str, LibrarySchema | None, list[str]]]:
    """(file as given, its schema, its problems) for each file, in order.

    A file that parses is then checked with the bundled schemas and the other files that
    parse (duplicate names, references to classes); those problems go to the file they name.
    """
    loaded: dict[Path, LibrarySchema] = {}
    problems: dict[Path, list[str]] = {Path(path).resolve(): [] for path in files}
    for path in files:
        try:
            loaded[Path(path).resolve()] = load_schema_file(path)
        except SchemaError as exc:
            _attribute(exc, problems, Path(path).resolve())
    if loaded:
        bundled = [load_schema_file(path) for path in bundled_schema_files() if path.resolve() not in loaded]
        try:
            SchemaSet(bundled + list(loaded.values()))
        except SchemaError as exc:
            _attribute(exc, problems, None)
    for path in files:
        key = Path(path).resolve()
        yield path, loaded.get(key), problems[key]


def _attribute(exc: SchemaError, problems: dict[Path, list[str]], default: Path | None) -> None:
    """Each problem to the file it names; one naming another file goes to the validated file it mentions."""
    for origin, problem in exc.problems:
        key = Path(origin).resolve()
        if key not in problems:
            key = default if default is not None else _clashing_file(problem, problems)
        problems[key].append(problem if key == Path(origin).resolve() else f"{problem} (in {origin})")


def _clashing_file(problem: str, problems: dict[Path, list[str]]) -> Path:
    return next((key for key in problems if str(key) in problem), next(iter(problems)))
