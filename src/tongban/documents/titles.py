"""Breaking a long title (标题) into lines as GB/T 9704-2012 §7.3.1 asks: "回行时，要做到词意完整，
排列对称，长短适宜，间距恰当，标题排列应当使用梯形或菱形" — words kept whole, the lines centred and of
suitable, balanced lengths, arranged as a trapezoid (lines growing or shrinking from top to bottom)
or a diamond (the middle lines longest), never an hourglass and never a word or two left alone.

``title_lines`` is pure: it knows the capacity of a line in characters and nothing of the page.

How:

1. The title is cut into words by the project's segmenter (``core.text.words``: rjieba with the
   government vocabulary), every character kept.
2. Words are joined into units that a line break may not split: an opening bracket or quote stays
   with the word after it and a closing one (and a comma) with the word before; "的" with the
   word before it; a single-character word (示范|市, 新|时期, 改革|委) with its neighbours, but
   和, 与, 及, 为, 在, 对 … only with the word after them; a number with the word after it
   (2026|年度). A line may always start at 关于. The document
   type at the end (通知, 意见, 函 …) stays with the words before it back to "的" (……方案的通知), so
   the last line is never the type alone.
3. The fewest lines that hold the units are arranged to minimise the squared difference of each
   line's length from the mean, with a bonus for starting a line at "关于" (the authority on one
   line, the subject after it) and a penalty for breaking inside brackets or quotes; lines shorter
   than three characters are refused, and so are hourglass shapes (a line shorter than the lines
   on both sides of it, by more than a character). When nothing fits those rules — a title of a
   few very long words — the balance alone decides.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from dataclasses import dataclass
from functools import cache

from tongban.core.text import words
from tongban.documents.types import DocumentType

__all__ = ["title_lines", "width"]

OPENING = "“‘《（(〔【「『〈［["  # stays with the word after it
CLOSING_BRACKETS = "”’》）)〕】」』〉］]"
CLOSING = CLOSING_BRACKETS + "，、。；：！？,.;:!?·…—"  # stays with the word before it
# Single-character words that lead into what follows: a line may start with them, not end.
LEADING = frozenset("和与及或并为在对向把将从以由给被按经据就自")
TYPE_WORDS = tuple(sorted(DocumentType.values, key=len, reverse=True))

MIN_LINE = 3.0  # characters: no line shorter (when the title allows it)
START_BONUS = 6.0  # a line that starts at 关于 (in squared characters of imbalance)
BRACKET_PENALTY = 30.0  # a break inside 《》, “” or （）
SHAPE_TOLERANCE = 1.0  # lines differing by one character count as equal for the shape
MAX_SHAPED_LINES = 8  # beyond this many lines, lines are simply filled (no real title)


def width(text: str) -> float:
    """A line's width in characters of the title's size: CJK characters and punctuation one
    (“” and ‘’ too: a Chinese font sets them full width), Latin letters and digits half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)


@dataclass(frozen=True)
class _Unit:
    text: str
    starts_about: bool  # the unit begins with 关于
    in_brackets: bool  # a break before this unit is inside brackets or quotes


def _is_cjk_char(token: str) -> bool:
    return len(token) == 1 and unicodedata.east_asian_width(token) in "WF" and token.isalpha()


def _glued(previous: str, word: str) -> bool:
    """No break between the adjacent words ``previous`` and ``word``."""
    if word.isspace():
        return True  # a space ends its line; the break comes after it
    if previous.isspace():
        return False
    if word[0] in CLOSING or previous[-1] in OPENING:
        return True
    if word == "关于":
        return False  # the place to break a title: 国务院办公厅 | 关于……
    if word == "的" or previous in LEADING:
        return True
    if _is_cjk_char(word) and word not in LEADING:
        return True
    if _is_cjk_char(previous) and previous != "的":
        return True
    # 2026|年度, A|级: a number or a Latin word runs on into the word after it.
    return previous[-1].isascii() and previous[-1].isalnum() and not word[0].isascii()


def _units(title: str) -> list[str]:
    units: list[str] = []
    previous = ""
    for word in words(title):
        if not word:
            continue
        if units and _glued(previous, word):
            units[-1] += word
        else:
            units.append(word)
        previous = word
    return _keep_type_with_its_words(units)


def _keep_type_with_its_words(units: list[str]) -> list[str]:
    """The document type at the end stays on a line with the words before it, back to "的"."""
    if len(units) < 2 or not units[-1].strip().endswith(TYPE_WORDS):
        return units
    start = len(units) - 2
    # ……方案的 | 通知 → one unit; ……便利化的 | 指导 | 意见 → 便利化的指导意见.
    for back in range(len(units) - 2, max(len(units) - 4, -1), -1):
        if units[back].rstrip().endswith("的"):
            start = back
            break
    return [*units[:start], "".join(units[start:])]


def _split_long(units: list[str], capacity: float) -> list[str]:
    """A unit wider than a line is cut where it must be: as many characters as fit."""
    out: list[str] = []
    for unit in units:
        piece = ""
        for char in unit:
            if piece and width(piece + char) > capacity:
                out.append(piece)
                piece = ""
            piece += char
        out.append(piece)
    return out


def _annotated(units: list[str]) -> list[_Unit]:
    out = []
    depth = 0
    for unit in units:
        out.append(_Unit(unit, unit.lstrip().startswith("关于"), depth > 0))
        for char in unit:
            if char in OPENING:
                depth += 1
            elif char in CLOSING_BRACKETS:
                depth = max(depth - 1, 0)
    return out


def title_lines(title: str, capacity: float) -> list[str]:
    """The lines of ``title`` (one line of text, whitespace already normalised) for lines of at
    most ``capacity`` characters: one line when it fits, else balanced lines in a trapezoid or
    diamond, words whole. Joined, the lines give the title back (a space at a break is dropped).
    """
    title = title.strip()
    if not title or width(title) <= capacity:
        return [title] if title else []
    units = _annotated(_split_long(_units(title), capacity))
    widths = [width(u.text) for u in units]
    fewest = len(_greedy(widths, capacity)) + 1
    if fewest > MAX_SHAPED_LINES:
        return _cut(units, _greedy(widths, capacity))  # far beyond any real title
    for lines in (fewest, fewest + 1):
        for shaped, strict in ((True, True), (True, False), (False, False)):
            breaks = _arrange(units, capacity, lines, shaped=shaped, strict=strict)
            if breaks is not None:
                return _cut(units, breaks)
    return _cut(units, _greedy(widths, capacity))  # not reached: the fewest lines always fit


def _greedy(widths: list[float], capacity: float) -> list[int]:
    breaks, used = [], 0.0
    for index, w in enumerate(widths):
        if used and used + w > capacity:
            breaks.append(index)
            used = 0.0
        used += w
    return breaks


def _cut(units: list[_Unit], breaks: list[int]) -> list[str]:
    bounds = [0, *breaks, len(units)]
    return ["".join(u.text for u in units[a:b]).strip() for a, b in itertools.pairwise(bounds)]


def _arrange(
    units: list[_Unit], capacity: float, lines: int, *, shaped: bool, strict: bool
) -> list[int] | None:
    """The break positions of the best arrangement in exactly ``lines`` lines, or None.

    ``shaped``: refuse hourglass shapes; ``strict``: refuse lines shorter than ``MIN_LINE``.
    Dynamic programming over (units placed, lines made, the last line's width, whether the lines
    have started to shrink).
    """
    count = len(units)
    if lines > count:
        return None
    prefix = [0.0]
    for unit in units:
        prefix.append(prefix[-1] + width(unit.text))
    # A space at the end of a line is not seen.
    trailing = [width(u.text) - width(u.text.rstrip()) for u in units]
    target = prefix[-1] / lines

    def line_width(a: int, b: int) -> float:
        return prefix[b] - prefix[a] - trailing[b - 1]

    def break_cost(at: int) -> float:
        unit = units[at]
        return (BRACKET_PENALTY if unit.in_brackets else 0.0) - (
            START_BONUS if unit.starts_about else 0.0
        )

    @cache
    def best(start: int, made: int, last: float, shrinking: bool) -> tuple[float, tuple[int, ...]]:
        """Cheapest way to set units[start:] in ``lines - made`` more lines."""
        remaining = lines - made
        if remaining == 0:
            return (0.0, ()) if start == count else (math.inf, ())
        found: tuple[float, tuple[int, ...]] = (math.inf, ())
        # Leave at least one unit for each line after this one.
        for end in range(start + 1, count - remaining + 2):
            w = line_width(start, end)
            if w > capacity:
                break
            if strict and w < MIN_LINE and prefix[-1] >= MIN_LINE * lines:
                continue
            now_shrinking = shrinking
            if made and shaped:
                if w < last - SHAPE_TOLERANCE:
                    now_shrinking = True
                elif w > last + SHAPE_TOLERANCE and shrinking:
                    continue  # shorter then longer again: an hourglass
            cost = (w - target) ** 2 + (break_cost(start) if made else 0.0)
            rest_cost, rest_breaks = best(end, made + 1, w, now_shrinking)
            if cost + rest_cost < found[0]:
                found = (cost + rest_cost, ((end,) if end < count else ()) + rest_breaks)
        return found

    total, breaks = best(0, 0, 0.0, False)
    return list(breaks) if math.isfinite(total) else None
