"""Transfer packages (BagIt in a ZIP) and their check (四性检测): a package as made passes; each
kind of tampering is named for the file it touches; stored files are checked too."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from datetime import date

import pytest

from tests.records.conftest import pdf
from tongban.audit.models import AuditEntry
from tongban.core import files
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.records import packages, services

pytestmark = pytest.mark.django_db


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def zipped(content: dict[str, bytes], *, stored: bool = False) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in content.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, method)
    return out.getvalue()


def reseal(content: dict[str, bytes], base: str) -> dict[str, bytes]:
    """What a careful forger does: recompute the payload manifest, Payload-Oxum and the tag
    manifest."""
    payload = [data for name, data in content.items() if name.startswith(f"{base}/data/")]
    info = content[f"{base}/bag-info.txt"].decode().splitlines()
    info = [
        f"Payload-Oxum: {sum(map(len, payload))}.{len(payload)}"
        if line.startswith("Payload-Oxum:")
        else line
        for line in info
    ]
    content[f"{base}/bag-info.txt"] = ("\n".join(info) + "\n").encode()
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name[len(base) + 1 :]}\n"
        for name, data in sorted(content.items())
        if name.startswith(f"{base}/data/")
    )
    content[f"{base}/manifest-sha256.txt"] = manifest.encode()
    tags = "".join(
        f"{hashlib.sha256(content[f'{base}/{tag}']).hexdigest()}  {tag}\n"
        for tag in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt")
    )
    content[f"{base}/tagmanifest-sha256.txt"] = tags.encode()
    return content


@pytest.fixture
def exported(archive, people):
    record = archive(retention="D30")
    package = services.export_record(people["archivist"], record.pk)
    data = package.file.read()
    return {"record": record, "package": package, "data": data, "base": record.archival_code}


def check(people, data: bytes) -> dict:
    return services.verify_package(people["archivist"], data)


def status_of(report: dict) -> dict[str, str]:
    return {f["path"]: f["status"] for f in report["files"]}


def test_the_package_is_a_bag_with_metadata_and_passes_its_check(exported, people):
    record, base = exported["record"], exported["base"]
    assert exported["package"].filename == f"{base}.zip"
    content = entries(exported["data"])
    assert set(content) == {
        f"{base}/bagit.txt",
        f"{base}/bag-info.txt",
        f"{base}/manifest-sha256.txt",
        f"{base}/tagmanifest-sha256.txt",
        f"{base}/data/metadata.xml",
        f"{base}/data/metadata.json",
        *(
            f"{base}/data/records/{base}/{name}"
            for name in ("正文.pdf", "附件1.pdf", "发文稿纸.pdf")
        ),
    }
    assert content[f"{base}/bagit.txt"].startswith(b"BagIt-Version: 1.0\n")
    metadata = json.loads(content[f"{base}/data/metadata.json"])
    [line] = metadata["records"]
    assert line["archival_code"] == record.archival_code == "F001-WS·2026-D30-EDU-0001"
    assert (line["doc_number"], line["responsible"], line["title"]) == (
        "示教发〔2026〕1号", "教育局", "关于做好2026年教育工作的通知",
    )  # fmt: skip
    assert (line["date"], line["classification"], line["pages"]) == ("2026-03-05", 0, 4)
    assert line["source"] == {"type": "documents.document", "id": record.source_id}
    main = next(f for f in line["files"] if f["role"] == "main")
    assert main["sha256"] == record.files.get(role="main").sha256
    assert main["size"] == len(content[f"{base}/data/records/{base}/正文.pdf"])
    xml = content[f"{base}/data/metadata.xml"].decode()
    assert "<archivalCode>F001-WS·2026-D30-EDU-0001</archivalCode>" in xml
    manifest = content[f"{base}/manifest-sha256.txt"].decode()
    assert f"{main['sha256']}  data/records/{base}/正文.pdf" in manifest
    assert "Payload-Oxum: " in content[f"{base}/bag-info.txt"].decode()

    report = check(people, exported["data"])
    assert report["ok"], report
    assert all(report[k] for k in ("authenticity", "integrity", "usability", "security"))
    assert set(status_of(report).values()) == {"ok"}
    assert report["records"][0]["platform"] == "match"
    assert AuditEntry.objects.filter(action="records.package.export").count() == 1
    entry = AuditEntry.objects.get(action="records.package.verify")
    assert entry.after["ok"] is True and entry.after["sha256"] == exported["package"].sha256


def test_a_changed_byte_is_found_in_that_file(exported, people):
    content = entries(exported["data"])
    base = exported["base"]
    path = f"{base}/data/records/{base}/附件1.pdf"
    body = bytearray(content[path])
    body[len(body) // 2] ^= 0x01
    content[path] = bytes(body)
    report = check(people, zipped(content))
    assert not report["ok"] and not report["authenticity"]
    statuses = status_of(report)
    assert statuses[f"data/records/{base}/附件1.pdf"] == "changed"
    assert statuses[f"data/records/{base}/正文.pdf"] == "ok"
    assert report["records"][0]["platform"] == "differs"


def test_a_missing_file_is_named(exported, people):
    content = entries(exported["data"])
    base = exported["base"]
    del content[f"{base}/data/records/{base}/发文稿纸.pdf"]
    report = check(people, zipped(content))
    assert not report["integrity"] and not report["ok"]
    assert status_of(report)[f"data/records/{base}/发文稿纸.pdf"] == "missing"
    # Even a forger who reseals the manifests is caught by the metadata.
    resealed = check(people, zipped(reseal(content, base)))
    assert not resealed["ok"] and not resealed["integrity"]
    assert status_of(resealed)[f"data/records/{base}/发文稿纸.pdf"] == "missing"


def test_an_extra_file_is_named(exported, people):
    content = entries(exported["data"])
    base = exported["base"]
    content[f"{base}/data/records/{base}/说明.txt"] = b"added later"
    report = check(people, zipped(content))
    assert status_of(report)[f"data/records/{base}/说明.txt"] == "extra"
    assert not report["integrity"]
    resealed = check(people, zipped(reseal(content, base)))
    assert status_of(resealed)[f"data/records/{base}/说明.txt"] == "extra"
    assert not resealed["ok"]
    # A file beside the bag is outside the package.
    content = entries(exported["data"])
    content["readme.txt"] = b"outside"
    report = check(people, zipped(content))
    assert status_of(report)["readme.txt"] == "unsafe" and not report["security"]


@pytest.mark.parametrize(
    "name",
    [
        "{base}/data/../../evil.sh",
        "../evil.sh",
        "/etc/cron.d/evil",
        "C:/Windows/evil.bat",
        "{base}/data\\..\\evil.bat",
        "{base}/data//double.txt",
    ],
)
def test_names_that_leave_the_package_are_refused(exported, people, name):
    content = entries(exported["data"])
    name = name.format(base=exported["base"])
    content[name] = b"#!/bin/sh\nrm -rf /\n"
    report = check(people, zipped(content))
    assert not report["security"] and not report["ok"]
    assert status_of(report)[name] == "unsafe"


def test_a_symbolic_link_and_a_duplicate_name_are_refused(exported, people):
    base = exported["base"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf, zipfile.ZipFile(io.BytesIO(exported["data"])) as original:
        for info in original.infolist():
            zf.writestr(info, original.read(info))
        link = zipfile.ZipInfo(f"{base}/data/link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
            zf.writestr(f"{base}/bagit.txt", "BagIt-Version: 1.0\n")
    report = check(people, out.getvalue())
    statuses = status_of(report)
    assert statuses[f"{base}/data/link"] == "unsafe"
    assert statuses[f"{base}/bagit.txt"] == "unsafe"
    assert not report["security"]


def test_a_zip_bomb_is_refused_without_unpacking(people, exported, monkeypatch):
    content = entries(exported["data"])
    base = exported["base"]
    content[f"{base}/data/records/{base}/zeros.bin"] = b"\0" * (20 * 1024 * 1024)
    bomb = zipped(content)
    assert len(bomb) < 200_000

    def never(*args, **kwargs):
        raise AssertionError("a bomb must not be read")

    monkeypatch.setattr(packages, "_verify_entries", never)
    report = check(people, bomb)
    assert not report["security"] and not report["ok"]
    assert "zip bomb" in " ".join(report["problems"])
    assert status_of(report)[f"{base}/data/records/{base}/zeros.bin"] == "unsafe"


def test_too_many_entries_or_too_much_declared_size_is_refused(people, exported, monkeypatch):
    monkeypatch.setattr(packages, "MAX_ENTRIES", 5)
    report = check(people, exported["data"])
    assert not report["security"] and report["files"] == []
    monkeypatch.setattr(packages, "MAX_ENTRIES", 10_000)
    monkeypatch.setattr(packages, "MAX_UNPACKED_BYTES", 1000)
    report = check(people, exported["data"])
    assert not report["security"]


def test_a_resealed_change_of_metadata_is_caught_by_the_other_metadata(exported, people):
    content = entries(exported["data"])
    base = exported["base"]
    path = f"{base}/data/metadata.json"
    metadata = json.loads(content[path])
    metadata["records"][0]["title"] = "改过的题名"
    content[path] = json.dumps(metadata, ensure_ascii=False).encode()
    report = check(people, zipped(reseal(content, base)))
    # metadata.xml no longer agrees: a changed file (authenticity) and wrong metadata (integrity)
    assert (report["authenticity"], report["integrity"]) == (False, False)
    assert status_of(report)["data/metadata.xml"] == "changed"
    assert not report["ok"]


def test_required_metadata_and_the_archival_code_are_checked(exported, people, english):
    content = entries(exported["data"])
    base = exported["base"]
    path = f"{base}/data/metadata.json"
    metadata = json.loads(content[path])
    metadata["records"][0]["responsible"] = ""
    metadata["records"][0]["year"] = 2025
    content[path] = json.dumps(metadata, ensure_ascii=False).encode()
    report = check(people, zipped(reseal(content, base)))
    problems = " ".join(report["problems"])
    assert "responsible" in problems and "year" in problems
    assert not report["integrity"]


def test_an_unreadable_pdf_is_not_usable(exported, people):
    content = entries(exported["data"])
    base = exported["base"]
    path = f"{base}/data/records/{base}/附件1.pdf"
    content[path] = b"%PDF-1.7\nnot really a pdf\n%%EOF\n"
    metadata = json.loads(content[f"{base}/data/metadata.json"])
    for f in metadata["records"][0]["files"]:
        if f["name"] == "附件1.pdf":
            f["sha256"] = hashlib.sha256(content[path]).hexdigest()
            f["size"] = len(content[path])
    content[f"{base}/data/metadata.json"] = json.dumps(metadata, ensure_ascii=False).encode()
    xml = content[f"{base}/data/metadata.xml"].decode()
    original = next(x for x in json.loads(entries(exported["data"])[f"{base}/data/metadata.json"])
                    ["records"][0]["files"] if x["name"] == "附件1.pdf")  # fmt: skip
    xml = xml.replace(original["sha256"], hashlib.sha256(content[path]).hexdigest()).replace(
        f'size="{original["size"]}"', f'size="{len(content[path])}"'
    )
    content[f"{base}/data/metadata.xml"] = xml.encode()
    report = check(people, zipped(reseal(content, base)))
    assert report["authenticity"] and report["integrity"] and report["security"]
    assert not report["usability"] and not report["ok"]
    assert status_of(report)[f"data/records/{base}/附件1.pdf"] == "unusable"
    assert report["records"][0]["platform"] == "differs"


def test_not_a_zip_is_invalid_input(people, english):
    with pytest.raises(InvalidInput) as refused:
        check(people, b"PK\x03\x04 this is no zip")
    assert refused.value.field == "file"
    assert not AuditEntry.objects.filter(action="records.package.verify").exists()


def test_a_zip_without_a_bag_is_reported(people):
    report = check(people, zipped({"hello.txt": b"hi"}))
    assert not report["ok"] and not report["integrity"]


def test_verifying_needs_a_records_permission(people, exported):
    with pytest.raises(Forbidden):
        services.verify_package(people["clerk"], exported["data"])
    assert AuditEntry.objects.filter(action="records.package.verify", outcome="denied").exists()


def test_a_batch_holds_a_year_of_a_fonds(archive, people, city):
    one = archive(retention="Y")
    two = archive(retention="D10", department=city["edu_basic"])
    archive(date=date(2025, 5, 1))  # another year
    package = services.export_batch(people["archivist"], fonds="f001", year=2026)
    assert package.filename == "F001-WS·2026.zip"
    assert package.archival_codes == [two.archival_code, one.archival_code]
    report = check(people, package.file.read())
    assert report["ok"], report
    assert [r["archival_code"] for r in report["records"]] == package.archival_codes
    assert {r["platform"] for r in report["records"]} == {"match"}
    with pytest.raises(NotFound):
        services.export_batch(people["fin_archivist"], fonds="F001", year=2026)
    with pytest.raises(InvalidInput):
        services.export_batch(people["archivist"], fonds="F001", year=26)
    with pytest.raises(Forbidden):
        services.export_batch(people["head"], fonds="F001", year=2026)


def test_export_refuses_a_record_whose_stored_file_changed(archive, people):
    record = archive()
    main = record.files.get(role="main")
    path = files.path_for(main.sha256)
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(Conflict) as refused:
        services.export_record(people["archivist"], record.pk)
    assert "正文.pdf" in str(refused.value.message)
    assert not AuditEntry.objects.filter(action="records.package.export").exists()


def test_fixity_of_stored_files(archive, people):
    record = archive()
    results = services.check_fixity(people["head"], record.pk)
    assert {r.status for r in results} == {"ok"}
    main, slip = record.files.get(role="main"), record.files.get(role="processing_slip")
    path = files.path_for(main.sha256)
    path.write_bytes(b"%PDF-1.7 overwritten")
    files.path_for(slip.sha256).unlink()
    results = {r.name: r.status for r in services.check_fixity(people["archivist"], record.pk)}
    assert results == {"正文.pdf": "changed", "附件1.pdf": "ok", "发文稿纸.pdf": "missing"}
    main.refresh_from_db()
    assert main.fixity_ok is False and main.checked_at is not None
    entry = AuditEntry.objects.filter(action="records.fixity.check").order_by("seq").last()
    assert entry.after["ok"] is False and entry.after["files"]["正文.pdf"] == "changed"


def test_the_fixity_sweep_checks_the_least_recently_checked(archive, people):
    from tongban.records.models import RecordFile

    record = archive()
    RecordFile.objects.update(checked_at=None)
    files.path_for(record.files.get(role="processing_slip").sha256).unlink()
    assert services.fixity_sweep(limit=2) == {"checked": 2, "failed": 0}
    assert services.fixity_sweep(limit=5) == {"checked": 1, "failed": 1}
    assert services.fixity_sweep(limit=5) == {"checked": 0, "failed": 0}
    assert RecordFile.objects.get(role="processing_slip").fixity_ok is False
    from tongban.core import jobs

    assert "records.fixity_sweep" in {job.name for job in jobs.registered()}


def test_downloading_a_file_is_audited(archive, people):
    record = archive()
    main = record.files.get(role="main")
    _item, handle = services.open_record_file(people["head"], record.pk, main.pk)
    with handle:
        assert hashlib.sha256(handle.read()).hexdigest() == main.sha256
    assert AuditEntry.objects.get(action="records.file.download").actor_username == "edu.head"


def test_package_file_names_are_percent_encoded_in_the_manifest():
    assert packages._manifest_path("a%b\nc") == "a%25b%0Ac"
    assert packages._unmanifest_path("a%25b%0Ac") == "a%b\nc"
    assert pdf(1)[:5] == b"%PDF-"
