"""Which settings a file names wrongly: misspelt keys, and option keys its transport never reads.

Precision policy: a key that is no setting is reported only when it is a near miss
of one (a slip of the keyboard, or a new name in upper case): libraries built on
celery keep their own settings in `app.conf` too (celery-redbeat's
`redbeat_redis_url`, celery-once's `ONCE`), and a Django project's own
`CELERY_ENABLED` flag is no celery setting.  The keys of a per-transport dict
(`broker_transport_options`) are judged only when the file names the broker's
transport (a literal `broker_url` or `broker_transport`); then each key the
transport does not read is reported, since the lists are complete.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator

from .settings_sources import SettingUse, literal_text, uses_of
from ..analysis.suggest import Suggestion, _by_typo
from ..liveness.transports import _alternates
from .config_keys import literal_keys


@dataclass(frozen=True)
class NameProblem:
    use: SettingUse
    message: str
    explanation: str
    suggestion: Suggestion
    #: Where the fix renames (the name itself, or a key of a dict).
    span: tuple[int, int, int, int]
    quoted: bool
    fixable: bool


def misspelt_settings(uses: list[SettingUse]) -> Iterator[NameProblem]:
    given_by_group: dict[int, set[str]] = {}
    for use in uses:
        given_by_group.setdefault(use.group, set()).add(use.name)
    for use in uses:
        if use.sets is not None:
            continue
        settings = use.settings
        suggestion, reason = _suggestion(use, uses)
        if not suggestion.names:
            continue
        message = f"'{use.name}' is not a {settings.name} setting{reason}{suggestion.hint()}"
        explanation = f"{settings.effect}, so the setting never takes effect."
        if not reason and _composed(use):  # worker_heartbeat: real words, maybe another setting meant
            suggestion = Suggestion(suggestion.names, by_spelling=False)
            explanation += (" Every word of the name is a word of other settings, so it may not be a slip of the "
                            "keyboard: check which setting was meant before renaming it.")
        fixable = use.renamable and not set(suggestion.names) & given_by_group[use.group]
        yield NameProblem(use, message, explanation, suggestion, use.span, use.quoted, fixable)


def mixed_names(uses: list[SettingUse]) -> Iterator[NameProblem]:
    """Old and new names in one configuration source that celery reads whole (a config class or dict, a
    settings module without a namespace): celery.app.utils.detect_settings takes the majority's style
    (new on a tie) and raises ImproperlyConfigured for each name of the other style whose counterpart
    is not given too.  Only sources read whole are judged: the keywords of `conf.update()` join
    whatever else configures the application, which may be in another file."""
    groups: dict[int, list[SettingUse]] = {}
    for use in uses:
        if use.whole and not use.prefix and use.sets is None:
            groups.setdefault(use.group, []).append(use)
    for group in groups.values():
        settings = group[0].settings
        old = [u for u in group if u.name in settings.legacy_keys and u.name not in settings.keys]
        new = [u for u in group if u.name in settings.keys and u.name != u.name.upper()]
        if not old or not new:
            continue
        have = {u.name for u in group}
        to_old = {key: name for name, key in settings.legacy_keys.items()}
        left, convert = (new, to_old.get) if len(old) > len(new) else (old, settings.legacy_keys.get)
        style = "new" if len(old) > len(new) else "old"
        for use in left:
            other = convert(use.name)
            if other is None or other in have:
                continue
            message = (f"'{use.name}' is {'a new' if style == 'new' else 'an old'} {settings.name} setting name among "
                       f"{'old' if style == 'new' else 'new'} ones: {settings.library} refuses the mix; "
                       f"did you mean '{other}'?")
            explanation = (f"{settings.library} raises ImproperlyConfigured (\"Cannot mix new and old setting keys\") "
                           "when the settings are first read, naming each name to rename.")
            yield NameProblem(use, message, explanation, Suggestion((other,)), use.span, use.quoted, use.renamable)


def _composed(use: SettingUse) -> bool:
    """Every `_`-separated word of the name is a word of some key (`worker_heartbeat`)."""
    words = {word for key in use.settings.keys for word in key.lower().split("_")}
    return all(word in words for word in use.bare.lower().split("_"))


def _suggestion(use: SettingUse, uses: list[SettingUse]) -> tuple[Suggestion, str]:
    settings, name = use.settings, use.name
    if use.prefix:
        bare = use.bare
        if name in settings.legacy_keys or (bare.lower() in settings.keys and bare == bare.upper()):
            return Suggestion(), ""
        candidates = [use.prefix + key.upper() for key in settings.keys if key == key.lower()]
        return _by_typo(name, candidates), ""
    if settings.known(name):
        return Suggestion(), ""
    if name.lower() in settings.keys:  # TASK_ALWAYS_EAGER: new names are read in lower case only
        key = name.lower()
        old = next((o for o, new in settings.legacy_keys.items() if new == key), None)
        if old is not None and _old_style(use, uses):
            return Suggestion((old,)), ": new names are lower case, and the others here are old names"
        return Suggestion((key,)), ": new names are lower case"
    upper = name == name.upper()
    pool = (settings.legacy_keys.keys() | {k for k in settings.keys if k == k.upper()}) if upper else \
        [k for k in settings.keys if k == k.lower()]
    return _by_typo(name, [p for p in pool if p != name]), ""


def _old_style(use: SettingUse, uses: list[SettingUse]) -> bool:
    """The other names given with it are old upper-case ones (celery refuses a mix)."""
    others = [u.name for u in uses if u.group == use.group and u is not use]
    old = sum(1 for n in others if n in use.settings.legacy_keys and n not in use.settings.keys)
    new = sum(1 for n in others if n in use.settings.keys and n != n.upper())
    return old > new


# --------------------------------------------------------------------------- per-transport option keys


@dataclass(frozen=True)
class OptionKeyProblem:
    node: ast.expr
    key: str
    setting: str
    transport: str
    message: str
    explanation: str
    suggestion: Suggestion


def broker_transport(uses: list[SettingUse], schemas, settings) -> str | None:
    """The transport the file's settings select, as kombu reads them; None when unknown."""
    link = settings.transport_of
    if link is None:
        return None
    cls = schemas.classes.get(link.connection)
    if cls is None:
        return None
    table = cls.transports
    urls = [use.value for use in uses_of(_own(uses, settings), link.url)]
    named = [use.value for use in uses_of(_own(uses, settings), link.transport)] if link.transport else []
    texts = {literal_text(v) for v in urls}
    if not urls or None in texts or any(literal_text(v) is None for v in named):
        return None
    chosen = set()
    for text in texts:
        for url in _alternates([text]):
            scheme = url.split("://", 1)[0] if "://" in url else None
            if scheme is not None and "+" in scheme:
                chosen.add(table.aliases.get(scheme.split("+", 1)[0]))
            elif named:
                chosen.update(table.aliases.get(literal_text(v)) for v in named)
            elif scheme is not None:
                chosen.add(table.aliases.get(scheme.lower()))
            else:
                chosen.add(None)
    return chosen.pop() if len(chosen) == 1 else None


def broker_urls(uses: list[SettingUse], settings) -> list[str]:
    link = settings.transport_of
    values = [u.value for u in uses_of(_own(uses, settings), link.url)]
    return [literal_text(v) for v in values if literal_text(v) is not None]


def _own(uses: list[SettingUse], settings) -> list[SettingUse]:
    return [u for u in uses if u.settings is settings]


def by_application(uses: list[SettingUse]) -> list[list[SettingUse]]:
    """The uses of each settings schema and application (a settings module is one)."""
    grouped: dict[tuple[int, str], list[SettingUse]] = {}
    for use in uses:
        grouped.setdefault((id(use.settings), use.owner), []).append(use)
    return list(grouped.values())


def unknown_option_keys(uses: list[SettingUse], schemas) -> Iterator[OptionKeyProblem]:
    for own in by_application(uses):
        settings = own[0].settings
        if not settings.option_keys:
            continue
        transport = broker_transport(own, schemas, settings)
        for setting, per_transport in settings.option_keys.items():
            if transport is None or transport not in per_transport:
                continue
            known = per_transport[transport]
            names = _alias_names(schemas.classes[settings.transport_of.connection].transports.aliases)
            for use in uses_of(own, setting):
                yield from _judge_keys(use.value, known, setting, transport, per_transport, names)


def _alias_names(aliases) -> dict[str, str]:
    """Transport -> the first alias naming it (`kombu.transport.pyamqp:Transport` -> `amqp`)."""
    names: dict[str, str] = {}
    for alias, transport in aliases.items():
        names.setdefault(transport, alias)
    return names


def _judge_keys(value, known, setting, transport, per_transport, names) -> Iterator[OptionKeyProblem]:
    short = names.get(transport, transport)
    for key, node in literal_keys(value):
        if key in known:
            continue
        suggestion = _by_typo(key, [k for k in known if k != key])
        if suggestion.names:
            tail = suggestion.hint()
        elif any(key in keys for keys in per_transport.values()):
            readers = sorted(names.get(t, t) for t, keys in per_transport.items() if key in keys)
            tail = f": only the {' and '.join(readers)} transport{'s read' if len(readers) > 1 else ' reads'} it"
        else:
            tail = f": the {short} transport never reads it"
        message = f"'{key}' is not a key of {setting} for the broker's {short} transport{tail}"
        explanation = (f"kombu hands {setting} to the {short} transport, which reads the keys it knows and skips the "
                       f"others silently. The keys it reads: {', '.join(sorted(known))}.")
        yield OptionKeyProblem(node, key, setting, transport, message, explanation, suggestion)
