"""Content-addressed file store: a file is named by the SHA-256 of its bytes (fixity built in).

Layout: ``<FILES_ROOT>/<sha[:2]>/<sha[2:4]>/<sha>``. Bytes are streamed into a temporary file
in ``<FILES_ROOT>/tmp/`` (the same file system) and moved into place with ``os.replace``, so a
reader never sees half a file, and the same content stored twice is one file on disk and one
``StoredFile`` row.

A file written by a transaction that then rolls back stays on disk without a row: harmless (the
next store of the same bytes reuses it), and a sweep can remove such orphans.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.core.models import StoredFile

__all__ = ["open_file", "path_for", "store_bytes", "store_file", "verify_fixity"]

CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")


class Readable(Protocol):
    """Anything with ``read(size) -> bytes``: an open file, ``BytesIO``, an ``UploadedFile``."""

    def read(self, size: int = ..., /) -> bytes: ...


def _root() -> Path:
    return Path(settings.FILES_ROOT)


def _check_sha256(sha256: str) -> str:
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256.lower()):
        raise ValueError(f"not a SHA-256 digest (64 hexadecimal characters): {sha256!r}")
    return sha256.lower()


def path_for(sha256: str) -> Path:
    """Where the file with this SHA-256 lives. ``ValueError`` for anything but 64 hex characters
    (so no name can reach outside the store)."""
    sha = _check_sha256(sha256)
    return _root() / sha[:2] / sha[2:4] / sha


def _fsync_dir(folder: Path) -> None:
    # Make the rename durable; not every platform lets a folder be opened.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def store_file(fileobj: Readable, *, name: str = "", content_type: str = "") -> StoredFile:
    """Stream ``fileobj`` (read in 1 MiB chunks) into the store and return its ``StoredFile``.

    Storing content that is already there returns the existing row (keeping its first name
    and content type) and repairs the file on disk if it had been damaged.
    """
    staging = _root() / "tmp"
    staging.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=staging, prefix="incoming-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            while chunk := fileobj.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                tmp.write(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
        sha = digest.hexdigest()
        target = path_for(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Same file system as the target: os.replace is an atomic rename.
        os.replace(tmp_name, target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise

    existing = StoredFile.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return StoredFile.objects.create(
                sha256=sha, size=size, original_name=name[:255], content_type=content_type[:100]
            )
    except IntegrityError:  # stored at the same moment by another request
        return StoredFile.objects.get(sha256=sha)


def store_bytes(data: bytes, *, name: str = "", content_type: str = "") -> StoredFile:
    """Store ``data``; see ``store_file``."""
    return store_file(io.BytesIO(data), name=name, content_type=content_type)


def open_file(sha256: str) -> IO[bytes]:
    """Open a stored file for reading (binary). ``FileNotFoundError`` when it is missing."""
    return path_for(sha256).open("rb")


def verify_fixity(sha256: str) -> bool:
    """Recompute the SHA-256 of the bytes on disk: ``False`` when they changed or are missing."""
    path = path_for(sha256)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == _check_sha256(sha256)
