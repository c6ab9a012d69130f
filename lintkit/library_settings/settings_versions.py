"""Settings judged against the version of their library the project uses (`[settings.history.keys]`).

celery stores a setting it does not know and never reads it: `broker_connection_retry_on_startup`
(added in celery 5.3.0) does nothing with celery 5.2, and `task_queue_ha_policy` (removed in 5.1.0)
nothing after.  The ranges are read from each release's `celery/app/defaults.py` (`NAMESPACES`) by
tests/test_settings_versions.py; the verdicts are `version_verdicts.judge`'s, as for keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .settings_sources import SettingUse
from ..project.version_verdicts import Verdict, entry_for, judge


@dataclass(frozen=True)
class VersionProblem:
    use: SettingUse
    verdict: Verdict


def version_problems(uses: list[SettingUse], check) -> Iterator[VersionProblem]:
    """The settings set in the file that the project's version of the library does not read."""
    for use in uses:
        settings = use.settings
        if use.sets is not None or not settings.history:
            continue
        key = settings_key(use)
        entry = entry_for(settings.history, "keys", key) if key is not None else None
        if entry is None:
            continue
        library = next((lib for lib in check.schemas.libraries if lib.name == settings.library), None)
        if library is None:
            continue
        verdict = judge(entry, key in settings.keys, settings.history, library=library.name,
                        distribution=library.distribution, policy=settings.unknown_keys,
                        filename=check.context.filename, versions=check.options.versions, guarded=False)
        if verdict is not None and not verdict.valid:
            message = verdict.message.replace(f"'{entry.name}'", f"'{use.name}'", 1)
            yield VersionProblem(use, Verdict(False, message, verdict.explanation, verdict.rename, verdict.safe_rename))


def settings_key(use: SettingUse) -> str | None:
    """The key a new-style name sets: itself in lower case, or the part after the namespace prefix
    (`CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP`); None for an old name (`BROKER_URL`)."""
    if use.name in use.settings.legacy_keys and use.name not in use.settings.keys:
        return None
    bare = use.bare
    if use.prefix:
        return bare.lower() if bare == bare.upper() else None
    return bare if bare == bare.lower() else None


def has_range(use: SettingUse) -> bool:
    key = settings_key(use)
    return key is not None and entry_for(use.settings.history, "keys", key) is not None
