"""Every rule, in code order: the single list the engine, flake8, CLI and docs use."""

from __future__ import annotations

from .base import Check
from .lk101_unknown_attribute import UnknownAttribute
from .lk102_unknown_keyword import UnknownKeyword
from .lk203_liveness_disabled import LivenessDisabled
from .lk206_socket_option_level import SocketOptionWrongLevel

ALL_CHECKS: tuple[type[Check], ...] = (UnknownAttribute, UnknownKeyword, LivenessDisabled, SocketOptionWrongLevel)
CHECKS_BY_CODE: dict[str, type[Check]] = {check.code: check for check in ALL_CHECKS}
