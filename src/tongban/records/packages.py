"""Archival transfer packages (归档/移交数据包): building them and checking them (四性检测).

A package is a ZIP holding one BagIt bag (RFC 8493, version 1.0) in a single top-level folder
named after what it holds (an archival code, or fonds·category·year for a batch)::

    F001-WS·2026-Y-BGT-0001/
      bagit.txt                 BagIt-Version: 1.0, Tag-File-Character-Encoding: UTF-8
      bag-info.txt              Source-Organization, Bagging-Date, Payload-Oxum, External-Identifier
      manifest-sha256.txt       "<sha256>  data/…" for every payload file
      tagmanifest-sha256.txt    the same for the tag files above
      data/metadata.xml         the catalogue (DA/T 22-2015 §5.5) and the file list, in XML
      data/metadata.json        the same in JSON
      data/records/<archival code>/<file name>

Checking a package follows the four properties of DA/T 70-2018《文书类电子档案检测一般要求》in
spirit: authenticity (every checksum matches), integrity (every file and the required metadata are
present, nothing extra), usability (the metadata can be read, every PDF opens) and security
(every name stays inside the bag: no absolute paths, no "..", no links, no encrypted entries, no
zip bomb). Nothing is extracted to disk; entries are read as streams with their sizes capped.

This module knows nothing of permissions or the database: ``services`` wraps it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import IO, Any

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from tongban.records.checks import pdf_problem

XML_NAMESPACE = "urn:tongban:records:package:1"
FORMAT = "tongban-records-package"
FORMAT_VERSION = 1
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
CHUNK = 1 << 20

# Limits of what a check reads (a package larger than these is refused, not half-checked).
MAX_PACKAGE_BYTES = 2 * 1024 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_UNPACKED_BYTES = 8 * 1024 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for entries larger than RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
MAX_TAG_FILE_BYTES = 16 * 1024 * 1024
MAX_PDF_CHECK_BYTES = 256 * 1024 * 1024

REQUIRED_RECORD_FIELDS = (
    "archival_code",
    "fonds_code",
    "category_code",
    "year",
    "retention",
    "organisation_code",
    "item_number",
    "responsible",
    "title",
    "date",
    "classification",
    "files",
)
ARCHIVAL_CODE = re.compile(
    r"^(?P<fonds>[A-Z0-9]{1,16})-(?P<category>[A-Z0-9]{1,8})·(?P<year>\d{4})-"
    r"(?P<retention>Y|D30|D10)-(?P<organisation>[A-Z0-9]{1,32})-(?P<item>\d{4})$"
)


def archival_code(
    fonds: str, category: str, year: int, retention: str, organisation: str, item: int
) -> str:
    """档号 of an item (DA/T 22-2015 §5.4, DA/T 13-2022): ``F001-WS·2026-Y-BGT-0001``."""
    return f"{fonds}-{category}·{year:04d}-{retention}-{organisation}-{item:04d}"


def unsafe_name(name: str) -> str | None:
    """Why a ZIP entry name (or a file name within it) may not be trusted, or None."""
    if not name or len(name) > 1024:
        return _("the name is empty or too long")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return _("the name contains control characters")
    if "\\" in name:
        return _("the name contains a backslash")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return _("the name is an absolute path")
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if any(part in ("..", ".") for part in parts):
        return _("the name climbs out of the package (“..”)")
    if any(part == "" for part in parts):
        return _("the name has an empty path segment")
    return None


# --- building --------------------------------------------------------------------------------


@dataclass
class PackedFile:
    """A file to put into a package: where in ``data/``, its recorded digest, how to read it."""

    path: str  # inside data/, e.g. "records/F001-WS·2026-Y-BGT-0001/正文.pdf"
    sha256: str
    size: int
    opener: Any  # () -> IO[bytes]


class FixityFailure(Exception):
    """A stored file no longer matches its recorded SHA-256 (the package is not made)."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)


def _zipinfo(name: str, when: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _manifest_path(path: str) -> str:
    """RFC 8493 §2.1.3: CR, LF and % in a file path are percent-encoded."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _unmanifest_path(path: str) -> str:
    return (
        path.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%0d", "\r")
        .replace("%0a", "\n")
        .replace("%25", "%")
    )


def metadata_xml(metadata: dict[str, Any]) -> bytes:
    """The package's catalogue as XML (the same content as metadata.json)."""
    ET.register_namespace("", XML_NAMESPACE)

    def el(parent: ET.Element, tag: str, text: Any = None, **attrs: Any) -> ET.Element:
        node = ET.SubElement(
            parent, f"{{{XML_NAMESPACE}}}{tag}", {k: str(v) for k, v in attrs.items()}
        )
        if text is not None:
            node.text = str(text)
        return node

    root = ET.Element(
        f"{{{XML_NAMESPACE}}}archivalPackage",
        {"format": FORMAT, "version": str(FORMAT_VERSION)},
    )
    el(root, "name", metadata["name"])
    el(root, "created", metadata["created"])
    el(root, "creator", metadata["creator"])
    standards = el(root, "standards")
    for standard in metadata["standards"]:
        el(standards, "standard", standard)
    records = el(root, "records")
    for item in metadata["records"]:
        node = el(records, "record", sequence=item["sequence"])
        for key, tag in (
            ("archival_code", "archivalCode"),
            ("fonds_code", "fondsCode"),
            ("fonds_name", "fondsName"),
            ("category_code", "categoryCode"),
            ("year", "year"),
            ("retention", "retention"),
            ("organisation_code", "organisationCode"),
            ("item_number", "itemNumber"),
            ("doc_number", "docNumber"),
            ("responsible", "responsible"),
            ("title", "title"),
            ("date", "date"),
            ("pages", "pages"),
            ("remarks", "remarks"),
            ("status", "status"),
            ("archived_by", "archivedBy"),
            ("archived_at", "archivedAt"),
        ):
            value = item.get(key)
            el(node, tag, "" if value is None else value)
        el(
            node,
            "classification",
            item["classification_label"],
            code=item["classification"],
        )
        el(node, "source", type=item["source"]["type"], id=item["source"]["id"])
        el(node, "department", item["department"]["name"], code=item["department"]["code"])
        el(node, "metadata", json.dumps(item.get("metadata") or {}, ensure_ascii=False,
                                        sort_keys=True))  # fmt: skip
        files = el(node, "files")
        for f in item["files"]:
            el(
                files,
                "file",
                path=f["path"],
                name=f["name"],
                role=f["role"],
                size=f["size"],
                sha256=f["sha256"],
                contentType=f["content_type"],
            )
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def build(
    out: IO[bytes],
    *,
    name: str,
    metadata: dict[str, Any],
    files: Iterable[PackedFile],
    when: datetime,
    organisation: str,
) -> dict[str, Any]:
    """Write the bag into ``out`` (a writable, seekable binary file). Every file is hashed as it
    is copied; one that does not match its recorded digest raises ``FixityFailure``.

    ``metadata`` is the content of metadata.json; its file paths are "data/…" paths.
    Returns a summary: payload bytes and file count (Payload-Oxum)."""
    payload: list[tuple[str, str]] = []  # (data/… path, sha256)
    octets = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:

        def put(path: str, data: bytes) -> str:
            zf.writestr(_zipinfo(f"{name}/{path}", when), data)
            return hashlib.sha256(data).hexdigest()

        put("bagit.txt", BAGIT_TXT.encode())
        for item in files:
            digest = hashlib.sha256()
            size = 0
            with item.opener() as source, zf.open(_zipinfo(f"{name}/data/{item.path}", when),
                                                  "w", force_zip64=item.size > 2**31) as target:  # fmt: skip
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
            if digest.hexdigest() != item.sha256 or size != item.size:
                raise FixityFailure(item.path)
            payload.append((f"data/{item.path}", item.sha256))
            octets += size
        for meta_name, data in (
            ("metadata.xml", metadata_xml(metadata)),
            (
                "metadata.json",
                json.dumps(metadata, ensure_ascii=False, indent=1, sort_keys=True).encode(),
            ),
        ):
            payload.append((f"data/{meta_name}", put(f"data/{meta_name}", data)))
            octets += len(data)
        manifest = "".join(f"{sha}  {_manifest_path(path)}\n" for path, sha in sorted(payload))
        codes = [r["archival_code"] for r in metadata["records"]]
        info_lines = [
            f"Source-Organization: {organisation}",
            f"Bagging-Date: {when.date().isoformat()}",
            f"Payload-Oxum: {octets}.{len(payload)}",
            "Bag-Software-Agent: tongban",
            f"External-Description: {FORMAT} {FORMAT_VERSION} (DA/T 22-2015 catalogue)",
            *(f"External-Identifier: {code}" for code in codes[:1000]),
        ]
        tags = {
            "bagit.txt": hashlib.sha256(BAGIT_TXT.encode()).hexdigest(),
            "bag-info.txt": put("bag-info.txt", ("\n".join(info_lines) + "\n").encode()),
            "manifest-sha256.txt": put("manifest-sha256.txt", manifest.encode()),
        }
        put(
            "tagmanifest-sha256.txt",
            "".join(f"{sha}  {path}\n" for path, sha in sorted(tags.items())).encode(),
        )
    return {"octets": octets, "files": len(payload)}


# --- checking --------------------------------------------------------------------------------


@dataclass
class FileCheck:
    """One entry of the report: a file of the package (or one its manifest names)."""

    path: str
    status: str  # ok | changed | missing | extra | unsafe | unusable
    size: int | None = None
    expected_sha256: str = ""
    actual_sha256: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class PackageReport:
    ok: bool
    authenticity: bool
    integrity: bool
    usability: bool
    security: bool
    sha256: str
    name: str
    files: list[FileCheck]
    problems: list[str]
    records: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Checker:
    def __init__(self) -> None:
        self.files: dict[str, FileCheck] = {}
        self.problems: list[str] = []
        self.authenticity = True
        self.integrity = True
        self.usability = True
        self.security = True
        self.records: list[dict[str, Any]] = []

    def file(self, path: str) -> FileCheck:
        if path not in self.files:
            self.files[path] = FileCheck(path=path, status="ok")
        return self.files[path]

    def flag(self, path: str, status: str, problem: str) -> None:
        check = self.file(path)
        # The worst finding wins: unsafe > missing/changed > extra > unusable > ok.
        order = ["ok", "unusable", "extra", "changed", "missing", "unsafe"]
        if order.index(status) > order.index(check.status):
            check.status = status
        check.problems.append(problem)
        if status == "unsafe":
            self.security = False
        elif status in ("changed",):
            self.authenticity = False
        elif status in ("missing", "extra"):
            self.integrity = False
        elif status == "unusable":
            self.usability = False

    def report(self, sha256: str, name: str) -> PackageReport:
        ok = self.authenticity and self.integrity and self.usability and self.security
        return PackageReport(
            ok=ok,
            authenticity=self.authenticity,
            integrity=self.integrity,
            usability=self.usability,
            security=self.security,
            sha256=sha256,
            name=name,
            files=sorted(self.files.values(), key=lambda f: f.path),
            problems=self.problems,
            records=self.records,
        )


def _size_of(source: IO[bytes]) -> int:
    position = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def sha256_of(source: IO[bytes]) -> str:
    source.seek(0)
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


def _parse_manifest(text: str) -> tuple[dict[str, str], list[str]]:
    entries: dict[str, str] = {}
    bad: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = re.match(r"^([0-9a-fA-F]{64})[ \t]+(.+)$", line)
        if not match:
            bad.append(str(number))
            continue
        entries[_unmanifest_path(match.group(2))] = match.group(1).lower()
    return entries, bad


def verify(source: IO[bytes]) -> PackageReport:
    """Check a package (a seekable binary file). Never raises for what the package contains:
    every finding goes into the report. ``zipfile.BadZipFile`` when it is not a ZIP at all."""
    total = _size_of(source)
    if total > MAX_PACKAGE_BYTES:
        raise ValueError("package too large")
    package_sha = sha256_of(source)
    check = _Checker()
    with zipfile.ZipFile(source) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            check.security = False
            check.problems.append(
                _("The package has %(n)d entries; at most %(max)d are checked. Refused.")
                % {"n": len(infos), "max": MAX_ENTRIES}
            )
            return check.report(package_sha, "")
        declared = sum(i.file_size for i in infos)
        bombs = [
            i.filename
            for i in infos
            if i.file_size > RATIO_FROM_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1)
        ]
        if declared > MAX_UNPACKED_BYTES or bombs:
            check.security = False
            check.problems.append(
                _(
                    "The package would unpack to %(size)s bytes from %(packed)s"
                    " (a “zip bomb”). Nothing was unpacked."
                )
                % {"size": f"{declared:,}", "packed": f"{total:,}"}
            )
            for name in bombs[:20]:
                check.flag(name, "unsafe", _("compressed beyond any real document"))
            return check.report(package_sha, "")
        return _verify_entries(zf, infos, check, package_sha)


def _verify_entries(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], check: _Checker, package_sha: str
) -> PackageReport:
    seen: set[str] = set()
    safe: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        problem = unsafe_name(name)
        if problem is None and name in seen:
            problem = _("the name occurs twice in the package")
        if problem is None and stat.S_ISLNK(info.external_attr >> 16):
            problem = _("the entry is a symbolic link")
        if problem is None and info.flag_bits & 0x1:
            problem = _("the entry is encrypted")
        seen.add(name)
        if problem is not None:
            check.flag(name, "unsafe", problem)
            safe.pop(name, None)
            continue
        if not info.is_dir():
            safe[name] = info

    # The bag's base folder: where bagit.txt is (the top level, or one folder).
    bases = sorted({n[: -len("bagit.txt")] for n in safe if n.rsplit("/", 1)[-1] == "bagit.txt"
                    and n.count("/") <= 1})  # fmt: skip
    if len(bases) != 1:
        check.integrity = False
        check.problems.append(
            _("The package holds no BagIt bag (bagit.txt at the top or in one folder).")
            if not bases
            else _("The package holds more than one bag.")
        )
        for name in safe:
            check.file(name)
        return check.report(package_sha, "")
    base = bases[0]
    bag_name = base.rstrip("/")
    inside = {n[len(base) :]: info for n, info in safe.items() if n.startswith(base)}
    for name in safe:
        if not name.startswith(base):
            check.flag(name, "unsafe", _("the file lies outside the package's folder"))

    def read_tag(path: str) -> str | None:
        info = inside.get(path)
        if info is None:
            return None
        if info.file_size > MAX_TAG_FILE_BYTES:
            check.flag(path, "unusable", _("the file is too large to read"))
            return None
        try:
            return zf.read(info).decode("utf-8")
        except (zipfile.BadZipFile, OSError, ValueError) as exc:  # CRC error, bad data
            check.flag(path, "changed", _("the entry is damaged: %(why)s") % {"why": exc})
            return None

    bagit = read_tag("bagit.txt")
    if bagit is None or "BagIt-Version:" not in bagit:
        check.integrity = False
        check.problems.append(_("bagit.txt is missing or does not declare a BagIt version."))
    manifest_text = read_tag("manifest-sha256.txt")
    manifest: dict[str, str] = {}
    if manifest_text is None:
        check.integrity = check.authenticity = False
        check.problems.append(_("manifest-sha256.txt (the payload checksums) is missing."))
    else:
        manifest, bad_lines = _parse_manifest(manifest_text)
        if bad_lines:
            check.integrity = False
            check.problems.append(
                _("manifest-sha256.txt has unreadable lines: %(lines)s")
                % {"lines": ", ".join(bad_lines[:10])}
            )
    tag_manifest_text = read_tag("tagmanifest-sha256.txt")
    tag_manifest: dict[str, str] = {}
    if tag_manifest_text is not None:
        tag_manifest, _bad = _parse_manifest(tag_manifest_text)

    # Every payload file and every tag file: its checksum against the manifests.
    pdfs: dict[str, bytes] = {}
    actual: dict[str, tuple[str, int]] = {}
    for path, info in sorted(inside.items()):
        check.file(path)
        in_payload = path.startswith("data/")
        listed = manifest if in_payload else tag_manifest
        if not in_payload and path not in tag_manifest:
            if path == "tagmanifest-sha256.txt" or path in ("bagit.txt", "manifest-sha256.txt",
                                                             "bag-info.txt"):  # fmt: skip
                continue
            check.flag(path, "extra", _("a file the manifests do not list"))
            continue
        keep_pdf = path.lower().endswith(".pdf") and info.file_size <= MAX_PDF_CHECK_BYTES
        digest = hashlib.sha256()
        size = 0
        buffer = io.BytesIO() if keep_pdf else None
        try:
            with zf.open(info) as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    if buffer is not None:
                        buffer.write(chunk)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            check.flag(path, "changed", _("the entry is damaged: %(why)s") % {"why": exc})
            continue
        result = check.file(path)
        result.size = size
        result.actual_sha256 = digest.hexdigest()
        actual[path] = (result.actual_sha256, size)
        expected = listed.get(path)
        if expected is None:
            check.flag(path, "extra", _("a file the manifest does not list"))
            continue
        result.expected_sha256 = expected
        if expected != result.actual_sha256:
            check.flag(path, "changed", _("the SHA-256 does not match the manifest"))
        if buffer is not None:
            pdfs[path] = buffer.getvalue()
    for path, expected in manifest.items():
        if path not in inside:
            problem = unsafe_name(path)
            if problem is not None:
                check.flag(path, "unsafe", problem)
            check.flag(path, "missing", _("listed in the manifest but not in the package"))
            check.file(path).expected_sha256 = expected
    for path in tag_manifest:
        if path not in inside:
            check.flag(path, "missing", _("listed in the tag manifest but not in the package"))

    _check_oxum(read_tag("bag-info.txt"), manifest, actual, check)
    _check_metadata(zf, inside, actual, check)
    for path, data in pdfs.items():
        if check.file(path).status != "ok":
            continue
        problem = pdf_problem(data)
        if problem:
            check.flag(path, "unusable", problem)
    return check.report(package_sha, bag_name)


def _check_oxum(
    info: str | None,
    manifest: dict[str, str],
    actual: dict[str, tuple[str, int]],
    check: _Checker,
) -> None:
    if not info:
        return
    match = re.search(r"^Payload-Oxum:\s*(\d+)\.(\d+)\s*$", info, re.M)
    if not match:
        return
    payload = [v for p, v in actual.items() if p.startswith("data/")]
    octets, count = sum(size for _sha, size in payload), len(payload)
    if (int(match.group(1)), int(match.group(2))) != (octets, count):
        check.integrity = False
        check.problems.append(
            _("bag-info.txt says %(expected)s (bytes.files); the payload is %(actual)s.")
            % {"expected": f"{match.group(1)}.{match.group(2)}", "actual": f"{octets}.{count}"}
        )


def _load_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    if info.file_size > MAX_TAG_FILE_BYTES:
        raise ValueError("too large")
    return json.loads(zf.read(info).decode("utf-8"))


def _check_metadata(
    zf: zipfile.ZipFile,
    inside: dict[str, zipfile.ZipInfo],
    actual: dict[str, tuple[str, int]],
    check: _Checker,
) -> None:
    """metadata.json: readable, every record's required catalogue fields, an archival code that
    agrees with its parts, a file list that is exactly the payload; metadata.xml says the same."""
    json_info, xml_info = inside.get("data/metadata.json"), inside.get("data/metadata.xml")
    if json_info is None or xml_info is None:
        check.integrity = False
        check.problems.append(_("data/metadata.json and data/metadata.xml are both required."))
        if json_info is None:
            return
    try:
        metadata = _load_json(zf, json_info)
    except (ValueError, RecursionError, zipfile.BadZipFile, OSError):
        check.flag("data/metadata.json", "unusable", _("the metadata cannot be read as JSON"))
        check.integrity = False
        return
    records = metadata.get("records") if isinstance(metadata, dict) else None
    if not isinstance(records, list) or not records:
        check.integrity = False
        check.problems.append(_("metadata.json lists no records."))
        return
    described: dict[str, tuple[str, int]] = {}
    for position, item in enumerate(records, 1):
        if not isinstance(item, dict):
            check.integrity = False
            check.problems.append(
                _("Record %(n)d of metadata.json is not an object.") % {"n": position}
            )
            continue
        code = str(item.get("archival_code", ""))
        label = code or f"#{position}"
        check.records.append(
            {"archival_code": code, "title": str(item.get("title", ""))[:500],
             "year": item.get("year"), "retention": item.get("retention")}
        )  # fmt: skip
        missing = [f for f in REQUIRED_RECORD_FIELDS if item.get(f) in (None, "", [])]
        if missing:
            check.integrity = False
            check.problems.append(
                _("%(record)s: required metadata missing: %(fields)s")
                % {"record": label, "fields": ", ".join(missing)}
            )
        match = ARCHIVAL_CODE.match(code)
        if match is None:
            check.integrity = False
            check.problems.append(
                _("%(record)s: the archival code does not have the form of DA/T 22-2015.")
                % {"record": label}
            )
        else:
            parts = {
                "fonds_code": match["fonds"],
                "category_code": match["category"],
                "year": int(match["year"]),
                "retention": match["retention"],
                "organisation_code": match["organisation"],
                "item_number": int(match["item"]),
            }
            wrong = [k for k, v in parts.items() if item.get(k) != v]
            if wrong:
                check.integrity = False
                check.problems.append(
                    _("%(record)s: the archival code disagrees with %(fields)s.")
                    % {"record": label, "fields": ", ".join(wrong)}
                )
        listed = item.get("files")
        files: list[Any] = listed if isinstance(listed, list) else []
        if files and not any(isinstance(f, dict) and f.get("role") == "main" for f in files):
            check.integrity = False
            check.problems.append(_("%(record)s: no main text (正文).") % {"record": label})
        for f in files:
            if not isinstance(f, dict):
                continue
            path = str(f.get("path", ""))
            if path.startswith("data/"):
                described[path] = (str(f.get("sha256", "")), f.get("size"))  # type: ignore[assignment]
            if path not in actual:
                if path not in inside:  # a damaged entry was flagged when it was read
                    check.flag(
                        path or "?", "missing", _("named in the metadata but not in the package")
                    )
            elif actual[path] != (f.get("sha256"), f.get("size")):
                check.flag(path, "changed", _("size or SHA-256 differ from the metadata"))
    for path in actual:
        if (
            path.startswith("data/")
            and path not in described
            and path
            not in (
                "data/metadata.json",
                "data/metadata.xml",
            )
        ):
            check.flag(path, "extra", _("a file the metadata does not describe"))
    if xml_info is not None:
        _check_xml_agrees(zf, xml_info, records, check)


def _check_xml_agrees(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, records: list[Any], check: _Checker
) -> None:
    ns = {"p": XML_NAMESPACE}
    try:
        if info.file_size > MAX_TAG_FILE_BYTES:
            raise ValueError("too large")
        root = SafeET.fromstring(zf.read(info))
    except Exception:  # defusedxml refusals, syntax errors, damaged entries
        check.flag("data/metadata.xml", "unusable", _("the metadata cannot be read as XML"))
        check.integrity = False
        return
    from_xml = []
    for node in root.findall("p:records/p:record", ns):
        files = sorted(
            (f.get("path", ""), f.get("sha256", ""), f.get("size", ""))
            for f in node.findall("p:files/p:file", ns)
        )
        from_xml.append(
            (node.findtext("p:archivalCode", "", ns), node.findtext("p:title", "", ns), files)
        )
    from_json = []
    for item in records:
        if not isinstance(item, dict):
            continue
        files = sorted(
            (str(f.get("path", "")), str(f.get("sha256", "")), str(f.get("size", "")))
            for f in (item.get("files") or [])
            if isinstance(f, dict)
        )
        from_json.append((str(item.get("archival_code", "")), str(item.get("title", "")), files))
    if from_xml != from_json:
        check.integrity = False
        check.flag("data/metadata.xml", "changed", _("metadata.xml and metadata.json do not agree"))
