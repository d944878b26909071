"""What a person reads on a page, and the internal names that must not be there.

``leftovers(html, logins)`` returns the pieces of a Chinese page's text that look like the
program's own names rather than words for a person: dotted codes (``identity.sign_in``,
``documents.document 297``), Python values (``['a']``, ``None``, ``AuditFilter(actor='')``),
English file names (``processing-slip.pdf``), English sentences (three or more ASCII words) and
untranslated msgids (a text that is exactly an English message of the catalogue).

Only text is read: attributes (``title``, ``href``, ``value``), scripts and styles, and what the
page marks as code (``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``) or as another language
(``lang="en"``: the language menu's "English") are left out on purpose.
"""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import tongban

# Elements whose content is not prose for a person, or is deliberately verbatim.
SKIPPED = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "template", "svg"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip

# Legitimate ASCII on a Chinese page. Each entry says why it stays English.
ALLOWED_PHRASES = {
    "SHA-256",  # the digest's name (GB/T and DA/T texts say SHA-256 too)
    "PDF", "XLSX", "CSV", "ZIP", "JSON", "OFD", "API", "TOTP", "HMAC", "PAdES", "QR",  # formats, standards
    "BPMN", "DMN", "OIDC", "CA", "CRL", "TSA", "PEM", "ID",  # protocols and artefacts by their names
}  # fmt: skip
# Whole texts that are a standard's or product's name, not an English sentence.
ALLOWED_SENTENCES = {
    "GB/T 9704-2012",
    "DA/T 22-2015",
}
# File names the platform gives in a fixed, machine-read form (inside a transfer package).
ALLOWED_FILES = {"metadata.json", "metadata.xml", "manifest-sha256.txt", "root.pem"}
# Products named by their own names.
ALLOWED_NAMES = {"bpmn.io"}

DOTTED = re.compile(r"(?<![\w@./-])([a-z][a-z_]*(?:\.[a-z_]+)+)(?:\s*#?\s*\d+)?(?![\w/-])")
FILE = re.compile(
    r"(?<![\w.-])([\w\u4e00-\u9fff（）()·-]+\.(pdf|docx?|xlsx?|txt|zip|json|csv|svg|pem|ofd|xml))\b",
    re.I,
)
REPR = re.compile(
    r"\['|\[\"|\{'|\{\"|\bNone\b|\bTrue\b|\bFalse\b|object at 0x|\b[A-Z][A-Za-z]+\(\w+="
)
WORDS = re.compile(r"[A-Za-z][A-Za-z']*(?:[ ,:;-]+[A-Za-z][A-Za-z']*){2,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\b(?:https?://|/)[\w./?=&%#:~+-]+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        attributes = dict(attrs)
        language = (attributes.get("lang") or "").lower()
        foreign = bool(language) and not language.startswith("zh")
        self.stack.append((tag, tag in SKIPPED or foreign))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skipping():
            self.texts.append(text)


def texts(html: str) -> list[str]:
    """The page's text nodes, whitespace collapsed, without the skipped elements."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.texts


def _catalogue() -> set[str]:
    """The English msgids that the Chinese catalogue translates."""
    mo = Path(tongban.__file__).parent / "locale/zh_Hans/LC_MESSAGES/django.mo"
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    found = set()
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid and value and value != msgid and re.search(r"[A-Za-z]{2}", msgid):
            found.add(msgid.split("\x04")[-1])  # without a msgctxt
    return found


_MSGIDS: set[str] | None = None


def msgids() -> set[str]:
    global _MSGIDS
    if _MSGIDS is None:
        _MSGIDS = _catalogue()
    return _MSGIDS


def _scrub(text: str, logins: set[str]) -> str:
    """The text without what may be ASCII: URLs, e-mail addresses, login names."""
    text = EMAIL.sub(" ", URL.sub(" ", text))
    for login in sorted(logins, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(login)}(?![\w.])", " ", text)
    return text


def leftovers(html: str, logins: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Every suspicious piece of the page's text, each as ``kind: text``."""
    found: list[str] = []
    for raw in texts(html):
        if raw in ALLOWED_SENTENCES or raw in ALLOWED_PHRASES:
            continue
        if raw in msgids() and raw not in logins:  # a login may be a word: "drafter"
            found.append(f"untranslated: {raw}")
            continue
        text = _scrub(raw, set(logins))
        for match in FILE.finditer(text):
            name = match.group(1)
            if name not in ALLOWED_FILES and re.search(r"[a-z]{3,}", name.rsplit(".", 1)[0]):
                found.append(f"English file name: {name} (in {raw!r})")
        text = FILE.sub(" ", text)
        for match in DOTTED.finditer(text):
            if match.group(1) in ALLOWED_NAMES:
                continue
            found.append(f"code: {match.group(0)} (in {raw!r})")
        if REPR.search(text):
            found.append(f"Python value: {raw!r}")
        for match in WORDS.finditer(text):
            if match.group(0) not in ALLOWED_SENTENCES:
                found.append(f"English: {match.group(0)!r} (in {raw!r})")
    return found
