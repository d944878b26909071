"""Content-addressed file store: a file is named by the SHA-256 of its bytes (fixity built in)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.core.models import StoredFile

CHUNK = 1 << 20
_SHA = re.compile(r"^[0-9a-f]{64}$")


def path_for(sha256: str) -> Path:
    if not _SHA.match(sha256 or ""):
        raise ValueError("not a SHA-256 hex digest")
    return Path(settings.FILES_ROOT) / sha256[:2] / sha256[2:4] / sha256


def store_file(fileobj: IO[bytes], *, name: str = "", content_type: str = "") -> StoredFile:
    """Stream ``fileobj`` into the store; the same content stored twice is one file and one row."""
    root = Path(settings.FILES_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
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
        if target.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
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
    except IntegrityError:
        return StoredFile.objects.get(sha256=sha)


def store_bytes(data: bytes, *, name: str = "", content_type: str = "") -> StoredFile:
    import io

    return store_file(io.BytesIO(data), name=name, content_type=content_type)


def open_file(sha256: str) -> IO[bytes]:
    return path_for(sha256).open("rb")


def verify_fixity(sha256: str) -> bool:
    """True when the bytes on disk still hash to their name."""
    path = path_for(sha256)
    if not path.exists():
        return False
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == sha256
