"""Did-you-mean: the closest valid name, or the class's own word for a concept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a transposition counts as one edit)."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _max_distance(name: str) -> int:
    return 1 if len(name) <= 4 else 2 if len(name) <= 9 else 3


@dataclass(frozen=True)
class Suggestion:
    names: tuple[str, ...] = ()
    #: True when the names are close in spelling (a typo), False when they are
    #: the class's own word for another library's term (`heartbeat_interval`).
    by_spelling: bool = True

    def hint(self) -> str:
        return did_you_mean(list(self.names))


def suggest(
    name: str,
    candidates: Iterable[str],
    class_vocabulary: Mapping[str, str],
    vocabulary: Mapping[str, frozenset[str]],
) -> Suggestion:
    """Names to suggest for the unknown `name`: one when one is clearly closest,
    several when they tie (`reconnect_interval_mix`: `_max` or `_min`), none
    when nothing is close."""
    public = [c for c in set(candidates) if not c.startswith("_") and c != name]
    by_typo = _by_typo(name, public)
    if by_typo.names:
        # A known synonym (`vhost` for virtual_host) is no typo: a name a letter or two
        # away (`host`) is a coincidence, so the class's own word for the concept wins.
        by_vocabulary = _by_vocabulary(name, public, class_vocabulary, vocabulary)
        return by_vocabulary if by_vocabulary is not None and by_vocabulary.names != by_typo.names else by_typo
    # Abbreviations and longer slips: one clearly similar name (difflib ratio), which
    # names the setting more closely than a concept does (`connect_timeout`: `socket_connect_timeout`).
    import difflib  # on first use: most runs suggest nothing

    similar = difflib.get_close_matches(name.lower(), [c.lower() for c in public], n=2, cutoff=0.8)
    if len(similar) == 1:
        return Suggestion(tuple(c for c in public if c.lower() == similar[0])[:1])
    return _by_vocabulary(name, public, class_vocabulary, vocabulary) or Suggestion()


def _by_typo(name: str, public: list[str]) -> Suggestion:
    """The names within a few edits (a slip of the keyboard), the closest ones."""
    lowered = name.lower()
    scored = [(edit_distance(lowered, c.lower()), c) for c in public]
    limit = _max_distance(name)
    close = [item for item in scored if item[0] <= limit]
    if not close:
        return Suggestion()
    best = min(distance for distance, _ in close)
    return Suggestion(tuple(sorted(c for distance, c in close if distance == best)))


def _by_vocabulary(name: str, public: list[str], class_vocabulary: Mapping[str, str],
                   vocabulary: Mapping[str, frozenset[str]]) -> Suggestion | None:
    """Another library's word for the same idea: heartbeat_interval, keepalive, vhost..."""
    lowered = name.lower()
    for concept, spellings in vocabulary.items():
        own = class_vocabulary.get(concept)
        if own and own != name and own in public and (lowered in spellings or lowered.replace("_", "") in
                                    {s.replace("_", "") for s in spellings}):
            return Suggestion((own,), by_spelling=False)
    return None


def did_you_mean(names: list[str]) -> str:
    if not names:
        return ""
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return f"; did you mean {quoted[0]}?"
    return f"; did you mean {', '.join(quoted[:-1])} or {quoted[-1]}?"


def with_note(message: str, note: str | None, suggested: bool, effect: str) -> tuple[str, str]:
    """The message and explanation of an unknown name, with the schema's note on it (a `Note`:
    its text says what to change, its `why` the reason).  A suggestion already says what to
    change, so the note then goes to the explanation; else the note's advice ends the message."""
    why = getattr(note, "why", "")
    parts = [effect]
    if note and suggested:
        parts.append(f"{note}.")
    elif note:
        message += f": {note}"
    if why:
        parts.append(f"{why}.")
    return message, " ".join(parts)
