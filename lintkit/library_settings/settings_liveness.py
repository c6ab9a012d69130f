"""Liveness knobs among a file's settings (`[[settings.knob]]`): `broker_heartbeat = 0` on an AMQP broker.

A knob with `transports` is judged only when the file's own settings name the
broker's transport (a literal `broker_url`), and not when every broker URL the
file gives is a loopback host or a UNIX socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..schemas.schema import Knob
from .settings_names import broker_transport, broker_urls, by_application
from .settings_sources import SettingUse, uses_of
from ..liveness.transports import _alternates, _hosts, _is_local, LOCAL


@dataclass(frozen=True)
class KnobSetting:
    use: SettingUse
    knob: Knob
    transport: str | None


def knob_settings(uses: list[SettingUse], schemas, concepts: tuple[str, ...]) -> Iterator[KnobSetting]:
    """The uses that set a knob of these concepts, on a broker the knob exists on, away from this host."""
    for own in by_application(uses):
        settings = own[0].settings
        knobs = [k for k in settings.knobs if k.concept in concepts]
        if not knobs:
            continue
        transport = broker_transport(own, schemas, settings)
        local = _all_local(broker_urls(own, settings), schemas, settings)
        for knob in knobs:
            if knob.transports and transport not in knob.transports:
                continue
            if local:
                continue
            for use in uses_of(own, knob.attribute):
                yield KnobSetting(use, knob, transport)


def _all_local(urls: list[str], schemas, settings) -> bool:
    cls = schemas.classes.get(settings.transport_of.connection) if settings.transport_of else None
    if not urls or cls is None:
        return False
    hosts = [host for url in _alternates(urls) for host in _hosts(url, cls.address)]
    return all(host is LOCAL or _is_local(cls.address.default_host if host is None else host) for host in hosts)
