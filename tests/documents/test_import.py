"""Importing existing documents: one or a batch, recognised, corrected, registered; broken files
reported by name while the rest goes on; the command line with its exit codes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from django.core.management import call_command

from tongban.core.errors import Conflict
from tongban.documents import importing, selectors
from tongban.documents.models import Document, ImportStatus, Origin

pytestmark = pytest.mark.django_db

NOTICE = """示范市财政局文件

示财发〔2025〕17号

关于做好2026年度部门预算编制工作的通知

各区人民政府，市各委办局：
为做好2026年度部门预算编制工作，现将有关事项通知如下。
一、编制原则
坚持量入为出、收支平衡。

示范市财政局
2025年11月3日
"""


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_batch_recognises_each_file_and_reports_a_broken_one_by_name(gov):
    clerk = gov["fin_clerk"]
    uploads = [
        ("预算通知.docx", docx_bytes(NOTICE)),
        ("损坏.docx", b"PK\x03\x04 this is not a zip"),
        ("会议纪要.txt", NOTICE.replace("通知", "纪要").replace("17号", "18号").encode("gb18030")),
        ("照片.jpg", b"\xff\xd8\xff"),
    ]
    batch = importing.start_batch(clerk, uploads)
    assert batch.department == gov["finance"]
    while importing.progress(batch).waiting:
        importing.process_next(clerk, batch.pk, limit=1)
    done = importing.progress(batch)
    assert (done.total, done.recognised, done.failed) == (4, 2, 2)
    items = {i.filename: i for i in batch.items.all()}
    assert items["损坏.docx"].status == ImportStatus.FAILED and items["损坏.docx"].error
    assert items["照片.jpg"].status == ImportStatus.FAILED

    notice = items["预算通知.docx"]
    found = notice.recognised
    assert found["doc_number"]["value"] == "示财发〔2025〕17号"
    assert found["doc_number"]["confidence"] >= 0.8
    assert found["title"]["value"] == "关于做好2026年度部门预算编制工作的通知"
    assert found["date_written"]["value"] == "2025-11-03"
    assert found["doc_type"]["value"] == "通知"

    # The clerk corrects the title before registering.
    document = importing.register_item(
        clerk, notice.pk, {"title": "关于做好2026年度市级部门预算编制工作的通知"}
    )
    assert document.origin == Origin.IMPORTED and document.stage == "registered"
    assert document.title.startswith("关于做好2026年度市级")
    assert document.doc_number == "示财发〔2025〕17号" and document.number_year == 2025
    assert document.department == gov["finance"] and document.source_file is not None
    # Searchable at once, for those who may see it only.
    hits = selectors.documents(clerk, selectors.DocumentFilter(q="预算 编制"))
    assert list(hits) == [document]
    assert not selectors.documents(gov["edu_clerk"], selectors.DocumentFilter(q="预算 编制"))
    with pytest.raises(Conflict):  # twice is refused
        importing.register_item(clerk, notice.pk, {})


def test_someone_without_the_permission_cannot_import(gov):
    from tongban.core.errors import Forbidden

    with pytest.raises(Forbidden):
        importing.start_batch(gov["reviewer"], [("a.txt", b"x")])


def test_the_command_imports_a_folder_and_exits_1_when_a_file_failed(gov, tmp_path, capsys):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a.docx").write_bytes(docx_bytes(NOTICE))
    (folder / "b.txt").write_text(NOTICE.replace("17号", "19号"), encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"not a docx at all")
    (folder / "notes.md").write_text("ignored")
    with pytest.raises(SystemExit) as exited:
        call_command("documents", "import", str(folder), "--department", "FIN")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "[3/3]" in out and "broken.docx" in out and "imported 2 of 3" in out
    assert Document.objects.filter(origin=Origin.IMPORTED).count() == 2

    good = tmp_path / "good"
    good.mkdir()
    (good / "c.docx").write_bytes(docx_bytes(NOTICE.replace("17号", "20号")))
    with pytest.raises(SystemExit) as exited:
        call_command("documents", "import", str(good), "--user", "fin_clerk")
    assert exited.value.code == 0
    with pytest.raises(SystemExit) as exited:
        call_command("documents", "import", str(tmp_path / "missing"), "--department", "FIN")
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        call_command("documents", "import", str(good))  # no department and no user
    assert exited.value.code == 2


def test_the_real_command_line(gov, tmp_path):
    """The installed ``tongban`` entry point, on a database of its own: an unknown department
    is refused before anything is written (exit 2)."""
    path = tmp_path / "x.txt"
    path.write_text(NOTICE, encoding="utf-8")
    tongban = Path(sys.executable).with_name("tongban")
    env = {"TONGBAN_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    subprocess.run([str(tongban), "migrate", "-v", "0"], env=env, check=True)
    result = subprocess.run(
        [str(tongban), "documents", "import", str(path), "--department", "NOPE"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2 and "NOPE" in result.stderr


def test_reindex_rebuilds_the_search_index(gov, capsys):
    from tongban.documents import indexing

    importing.import_files(gov["fin_clerk"], [("a.docx", docx_bytes(NOTICE))])
    indexing.INDEX.clear()
    assert not selectors.documents(gov["fin_clerk"], selectors.DocumentFilter(q="预算 编制"))
    call_command("documents", "reindex")
    assert "indexed 1 documents" in capsys.readouterr().out
    assert (
        selectors.documents(gov["fin_clerk"], selectors.DocumentFilter(q="预算 编制")).count() == 1
    )
