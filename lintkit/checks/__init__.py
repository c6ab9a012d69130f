"""Every rule, in code order: the single list the engine, flake8, CLI and docs use."""

from __future__ import annotations

from .base import Check
from .lk101_unknown_attribute import UnknownAttribute
from .lk102_unknown_keyword import UnknownKeyword
from .lk103_unknown_option_key import UnknownOptionKey
from .lk104_ignored_keyword import IgnoredKeyword
from .lk105_name_not_in_version import NameNotInVersion
from .lk201_socket_without_keepalive import SocketWithoutKeepalive
from .lk202_keepalive_idle import KeepaliveIdleDefault
from .lk203_liveness_disabled import LivenessDisabled
from .lk204_no_liveness_by_default import NoLivenessByDefault
from .lk205_interval_above_max_idle import IntervalAboveMaxIdle
from .lk206_socket_option_level import SocketOptionWrongLevel
from .lk207_option_after_connect import OptionAfterConnect

ALL_CHECKS: tuple[type[Check], ...] = (UnknownAttribute, UnknownKeyword, UnknownOptionKey, IgnoredKeyword,
                                       NameNotInVersion,
                                       SocketWithoutKeepalive,
                                       KeepaliveIdleDefault, LivenessDisabled, NoLivenessByDefault,
                                       IntervalAboveMaxIdle, SocketOptionWrongLevel,
                                       OptionAfterConnect)
CHECKS_BY_CODE: dict[str, type[Check]] = {check.code: check for check in ALL_CHECKS}
