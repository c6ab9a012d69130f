"""LK206 offers no level fix for a literal the right level rejects: the ranges, on a real socket."""

from __future__ import annotations

import socket
import sys

import pytest

from lintkit.checks.lk206_socket_option_level import _VALID_VALUES

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the ranges are Linux's")


@pytest.mark.parametrize("option", sorted(_VALID_VALUES))
def test_the_range_is_what_linux_accepts(option: str) -> None:
    valid = _VALID_VALUES[option]
    number = getattr(socket, option)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        for value in (valid.start, valid.stop - 1):
            sock.setsockopt(socket.IPPROTO_TCP, number, value)
        for value in (valid.start - 1, valid.stop):
            if value < -1 or value >= 2 ** 31:
                continue  # not an int the call can pass
            with pytest.raises(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, number, value)
