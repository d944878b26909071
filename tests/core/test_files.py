"""The content-addressed file store."""

from __future__ import annotations

import hashlib
import io

import pytest

from tongban.core import files
from tongban.core.models import StoredFile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _root(settings, tmp_path):
    settings.FILES_ROOT = tmp_path / "files"


def test_stored_under_its_hash_and_deduplicated():
    data = "公文正文".encode() * 1000
    first = files.store_bytes(data, name="a.txt", content_type="text/plain")
    second = files.store_file(io.BytesIO(data), name="b.txt")
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert StoredFile.objects.count() == 1
    with files.open_file(first.sha256) as handle:
        assert handle.read() == data
    assert files.verify_fixity(first.sha256)


def test_fixity_fails_when_bytes_change_or_vanish():
    stored = files.store_bytes(b"original")
    path = files.path_for(stored.sha256)
    path.write_bytes(b"tampered")
    assert not files.verify_fixity(stored.sha256)
    path.unlink()
    assert not files.verify_fixity(stored.sha256)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "abc", "G" * 64])
def test_names_that_are_not_digests_are_refused(bad):
    with pytest.raises(ValueError):
        files.path_for(bad)
