"""Where lintkit keeps what it can reuse between runs, and how an entry is written.

The directory is `$LINTKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/lintkit`, else
`~/.cache/lintkit`; an empty `LINTKIT_CACHE_DIR` turns every cache off.  Each
entry is addressed by the content it was made from, so it is never read stale,
and written to a temporary file then renamed, so parallel runs (`--jobs`,
pre-commit, flake8's workers) never see half an entry.  Any failure to read or
write an entry just means doing the work again.
"""

from __future__ import annotations

import os
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def cache_dir() -> Path | None:
    configured = os.environ.get("LINTKIT_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "lintkit")


def content_key(data: bytes) -> str:
    """Two checksums and the length: a different content never shares a key."""
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}-{len(data)}"


def read_entry(entry: Path) -> bytes | None:
    try:
        return entry.read_bytes()
    except OSError:
        return None


def write_entry(entry: Path, encoded: bytes) -> None:
    """Atomically; a read-only or missing home means no cache."""
    import tempfile  # only when writing: kept off the start-up path

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(encoded)
            os.replace(temporary, entry)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass


@contextmanager
def updating(entry: Path) -> Iterator[None]:
    """Hold `entry`'s lock while it is read, merged and written again, so that two processes
    updating it at once (forked workers saving what each learnt) do not lose each other's
    answers.  Where there is no `fcntl` or the lock cannot be taken, the update goes unlocked:
    the worst case is an answer found again next run."""
    try:
        import fcntl

        entry.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(f"{entry}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except (ImportError, OSError):
        yield
        return
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
        except OSError:
            pass
        yield
    finally:
        os.close(lock)  # closing the descriptor releases the lock
