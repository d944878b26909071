"""Chinese text (中文文本): normalisation, segmentation (分词) and search snippets.

Segmentation is rjieba's dictionary plus the government vocabulary in ``data/vocabulary.txt``
(一网通办, 营商环境, 发文字号 …), loaded once per process into a segmenter of our own, so
nothing else in the process that uses rjieba changes our tokens (or we theirs).

Two kinds of tokens:

- ``index_tokens``: what a search index stores. Every word of rjieba's precise segmentation,
  and inside each long word every dictionary word it contains (城市规划局 → 城市, 规划局,
  规划; 居民身份证号码 → 居民身份证, 身份证, 号码 …). rjieba's search mode gives the parts of
  two and three characters; parts of four or more (居民身份证 in 居民身份证号码) are added here.
- ``parse_query``: what a query looks for — rjieba's precise segmentation of the query, each
  word a ``Term``. A word that the dictionary splits entirely into shorter words (城市规划 →
  城市 + 规划) matches the word itself *or* all of its parts: the segmenter may have cut the
  document differently around it (城市|规划局, 义务教育|经费), and a person who types 城市规划
  without a space means both words. The document with the whole word ranks higher (it also
  matches the word). Every term must match (AND).

Both go through the same cleaning: NFKC, lower case, no punctuation, symbols or whitespace
inside a token (a token holds only letters and digits), single-character function words
(的, 和, 在 …) dropped, tokens cut at ``MAX_TOKEN_CHARS``. What one side drops the other never
looks for, so the two always agree.

A term of one character that is left (税, 房, 车) is a *prefix term*: it finds the documents
with a word that begins with it (税收, 税务, 税 itself). Matching one character anywhere
inside words would need an index of every character; this is the trade-off.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import rjieba
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "MAX_TOKEN_CHARS",
    "STOP_CHARACTERS",
    "Term",
    "index_tokens",
    "normalise",
    "parse_query",
    "query_terms",
    "segment",
    "snippet",
    "vocabulary",
    "words",
]

#: A query is read up to this many characters (after normalisation); the rest is ignored.
MAX_QUERY_CHARS = 500
#: A query keeps at most this many distinct terms (every one must match).
MAX_QUERY_TERMS = 32
#: Longer tokens (a run of digits, a pasted hash) are cut to this length on both sides.
MAX_TOKEN_CHARS = 64

#: Single-character function words: in nearly every text, so useless to index or to look for.
STOP_CHARACTERS = frozenset(
    "的了和与及或在是对把被从向而并也都就将为于以由所之其这那等各则即且但又"
)

# Anything that is not a letter or a digit (Unicode categories L*, N*) separates tokens:
# punctuation, symbols, emoji, marks, the underscore that \w would let through.
_SEPARATORS = re.compile(r"[\W_]+")
_WHITESPACE = re.compile(r"\s+")
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})

_lock = threading.Lock()
_segmenter: rjieba.Jieba | None = None
_vocabulary: tuple[str, ...] = ()


def vocabulary() -> tuple[str, ...]:
    """The government vocabulary (``data/vocabulary.txt``) added to the segmenter."""
    _jieba()
    return _vocabulary


def _read_vocabulary() -> tuple[str, ...]:
    raw = resources.files("tongban.core").joinpath("data/vocabulary.txt").read_text("utf-8")
    words = (line.split("#", 1)[0].strip() for line in raw.splitlines())
    return tuple(dict.fromkeys(word for word in words if word))


def _jieba() -> rjieba.Jieba:
    global _segmenter, _vocabulary
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                segmenter = rjieba.Jieba()
                words = _read_vocabulary()
                for word in words:
                    # No frequency given: rjieba picks one just high enough to keep it whole.
                    segmenter.add_word(word, None, None)
                _vocabulary = words
                _segmenter = segmenter
    return _segmenter


def normalise(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation → half-width), lower case, every run of
    whitespace → one space, no leading or trailing space."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def _clean(tokens: Iterable[str]) -> list[str]:
    # The text reached the segmenter with separators already turned into spaces, so joining
    # and splitting on whitespace drops the space tokens without a Python-level test per token.
    return [
        token[:MAX_TOKEN_CHARS]
        for token in " ".join(tokens).split()
        if token not in STOP_CHARACTERS
    ]


def _prepare(text: str) -> str:
    return _SEPARATORS.sub(" ", normalise(text))


def segment(text: str) -> list[str]:
    """The words of ``text`` in order (precise mode), cleaned as described above."""
    return _clean(_jieba().cut(_prepare(text)))


def words(text: str) -> list[str]:
    """The words of ``text`` as written (precise mode), every character kept: joined, they give
    ``text`` back. For laying text out (where a line may break), not for search."""
    return list(_jieba().cut(text)) if text else []


def index_tokens(text: str) -> list[str]:
    """The tokens a search index stores for ``text``: its words and the words inside them."""
    jieba = _jieba()
    tokens = _clean(jieba.cut_for_search(_prepare(text)))
    # Search mode leaves out the parts of four or more characters of a long word; such words
    # are rare, so looking at them alone keeps indexing fast.
    longer = [
        part
        for word in tokens
        if len(word) >= 5
        for part in jieba.cut_all(word)
        if 4 <= len(part) < len(word)
    ]
    return tokens + longer if longer else tokens


@dataclass(frozen=True)
class Term:
    """One word of a query, and the shorter dictionary words that may stand for it."""

    word: str
    #: The longest dictionary words inside ``word`` that together cover it (城市规划 → 城市,
    #: 规划); empty when there are none (a word of one or two characters, a name).
    parts: tuple[str, ...] = ()

    @property
    def prefix(self) -> bool:
        """A one-character term matches the words that begin with it (税 → 税收, 税务, 税)."""
        return len(self.word) == 1


def _parts(word: str) -> tuple[str, ...]:
    if len(word) < 3:
        return ()
    inside = {p for p in _jieba().cut_all(word) if 2 <= len(p) < len(word)}
    # Keep the longest: a part inside another part adds nothing to the AND.
    longest = sorted(p for p in inside if not any(p != q and p in q for q in inside))
    covered = [False] * len(word)
    for part in longest:
        start = word.find(part)
        while start != -1:
            covered[start : start + len(part)] = [True] * len(part)
            start = word.find(part, start + 1)
    return tuple(sorted(longest, key=word.find)) if all(covered) else ()


def parse_query(q: str) -> list[Term]:
    """The distinct terms of a user's query, in order: every one must match.

    The query is read up to ``MAX_QUERY_CHARS`` characters and keeps ``MAX_QUERY_TERMS`` terms.
    The words ``AND``, ``OR``, ``NOT`` and ``NEAR`` written in capitals are search-syntax habits,
    not words of a Chinese text: they are dropped. Whatever is left of hostile input (quotes,
    ``*``, parentheses, ``:``) is only separators. An empty list means "nothing to look for".
    """
    if not isinstance(q, str):
        return []
    words = _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", q[: MAX_QUERY_CHARS * 2])).split()
    kept = [w for w in words if w not in _OPERATORS]
    text = normalise(" ".join(kept))[:MAX_QUERY_CHARS]
    words = list(dict.fromkeys(_clean(_jieba().cut(text))))[:MAX_QUERY_TERMS]
    return [Term(word, _parts(word)) for word in words]


def query_terms(q: str) -> list[str]:
    """The words to mark in a snippet for query ``q``: its terms and their parts."""
    return list(dict.fromkeys(w for t in parse_query(q) for w in (t.word, *t.parts)))


def _display_text(text: str) -> tuple[str, str, list[int]]:
    """The text to show (whitespace runs → one space), its normalised form character by
    character, and for each normalised character the index of the displayed one it came from."""
    shown = _WHITESPACE.sub(" ", text).strip()
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(shown):
        # NFKC of one character may give several (㈱ → (株)); each maps back to the same one.
        for piece in unicodedata.normalize("NFKC", char).lower():
            folded.append(piece)
            origin.append(index)
    return shown, "".join(folded), origin


def snippet(text: str, terms: Iterable[str], width: int = 120) -> SafeString:
    """About ``width`` characters of the original ``text`` around its first hit, HTML-escaped,
    every hit of ``terms`` inside it wrapped in ``<mark>``, and "…" where the text was cut.

    Matching ignores case and full/half width (the terms come from ``query_terms``, so they are
    normalised); the characters shown are the document's own. When nothing matches, the start
    of the text.
    """
    width = max(int(width), 10)
    shown, folded, origin = _display_text(text or "")
    wanted = sorted({t for t in terms if t}, key=len, reverse=True)
    spans: list[tuple[int, int]] = []
    if wanted and folded:
        pattern = re.compile("|".join(re.escape(t) for t in wanted))
        for match in pattern.finditer(folded):
            spans.append((origin[match.start()], origin[match.end() - 1] + 1))

    if spans:
        first = spans[0][0]
        # Some context before the first hit; then fill the window, shifting left near the end.
        start = max(0, first - width // 4)
        end = min(len(shown), start + width)
        start = max(0, min(start, end - width))
    else:
        start, end = 0, min(len(shown), width)
    # A hit that starts inside the window is shown whole.
    for hit_start, hit_end in spans:
        if start <= hit_start < end < hit_end:
            end = hit_end

    parts: list[str] = ["…"] if start > 0 else []
    cursor = start
    for hit_start, hit_end in spans:
        if hit_start < cursor or hit_start >= end:
            continue
        parts.append(escape(shown[cursor:hit_start]))
        parts.append(f"<mark>{escape(shown[hit_start:hit_end])}</mark>")
        cursor = hit_end
    parts.append(escape(shown[cursor:end]))
    if end < len(shown):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 — every piece of the text was escaped above
