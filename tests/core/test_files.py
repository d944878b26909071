"""The content-addressed file store."""

from __future__ import annotations

import hashlib
import io

import pytest

from tongban.core import files
from tongban.core.models import StoredFile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def root(settings, tmp_path):
    settings.FILES_ROOT = tmp_path / "files"
    return settings.FILES_ROOT


class ChunkCountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and 0 < size <= files.CHUNK, "reads the whole file at once"
        self.sizes.append(size)
        return super().read(size)


class FailingReader:
    def __init__(self) -> None:
        self.calls = 0

    def read(self, size: int = -1, /) -> bytes:
        self.calls += 1
        if self.calls > 2:
            raise OSError("connection reset by the client")
        return b"x" * 1000


def _files_under(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_stored_under_its_hash_and_deduplicated(root):
    data = "公文正文".encode() * 1000
    sha = hashlib.sha256(data).hexdigest()
    first = files.store_bytes(data, name="正文.txt", content_type="text/plain")
    second = files.store_file(io.BytesIO(data), name="copy.txt", content_type="text/x-other")
    assert first.sha256 == second.sha256 == sha
    assert StoredFile.objects.count() == 1
    row = StoredFile.objects.get()
    assert (row.size, row.original_name, row.content_type) == (len(data), "正文.txt", "text/plain")
    assert files.path_for(sha) == root / sha[:2] / sha[2:4] / sha
    assert _files_under(root) == [files.path_for(sha)]  # one file, no temporary left behind
    with files.open_file(sha) as handle:
        assert handle.read() == data
    assert files.verify_fixity(sha)


def test_a_large_file_is_streamed_in_chunks():
    data = bytes(range(256)) * (10 * 1024 + 7)  # about 2.5 MiB
    reader = ChunkCountingReader(data)
    stored = files.store_file(reader)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert len(reader.sizes) >= 3
    assert files.verify_fixity(stored.sha256)


def test_empty_content_is_a_file_too():
    stored = files.store_bytes(b"")
    assert stored.sha256 == hashlib.sha256(b"").hexdigest() and stored.size == 0
    assert files.verify_fixity(stored.sha256)


def test_a_failed_upload_leaves_nothing_behind(root):
    with pytest.raises(OSError, match="reset"):
        files.store_file(FailingReader())
    assert _files_under(root) == []
    assert not StoredFile.objects.exists()


def test_fixity_fails_when_bytes_change_or_vanish_and_storing_again_repairs():
    stored = files.store_bytes(b"original")
    path = files.path_for(stored.sha256)
    path.write_bytes(b"tampered")
    assert not files.verify_fixity(stored.sha256)
    files.store_bytes(b"original")
    assert files.verify_fixity(stored.sha256)
    path.unlink()
    assert not files.verify_fixity(stored.sha256)
    with pytest.raises(FileNotFoundError):
        files.open_file(stored.sha256)


def test_upper_case_digests_name_the_same_file():
    stored = files.store_bytes(b"abc")
    assert files.path_for(stored.sha256.upper()) == files.path_for(stored.sha256)
    assert files.verify_fixity(stored.sha256.upper())


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "abc",
        "",
        "G" * 64,
        "a" * 63,
        "a" * 65,
        "a" * 64 + "\n",  # "$" in a regex would let this through
        "../" + "a" * 61,
        "/" + "a" * 63,
    ],
)
def test_names_that_are_not_digests_are_refused(bad):
    for func in (files.path_for, files.open_file, files.verify_fixity):
        with pytest.raises(ValueError, match="SHA-256"):
            func(bad)
