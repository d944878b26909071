"""Identifier rules: 居民身份证号 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015).

Each check raises ``InvalidInput`` with a message that says exactly what is wrong; the Django
validators ``resident_id_validator`` and ``credit_code_validator`` raise ``ValidationError`` with
the same messages, for model and form fields.

Input is normalised before it is checked: surrounding blanks removed, full-width characters typed
with a Chinese input method turned into ASCII (NFKC), letters upper-cased.

Region codes (行政区划代码, GB/T 2260) are checked for their 6-digit form and their province
prefix only. A full county list would wrongly refuse the many valid numbers issued under codes
since abolished or renamed, which stay on people's cards for life.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import InvalidInput

__all__ = [
    "CREDIT_ALPHABET",
    "PROVINCES",
    "CreditCode",
    "ResidentId",
    "credit_code_check_char",
    "credit_code_validator",
    "mask_phone",
    "mask_resident_id",
    "organisation_code_check_char",
    "resident_id_check_char",
    "resident_id_validator",
    "validate_credit_code",
    "validate_resident_id",
]

DIGITS = "0123456789"

# GB 11643-1999: weights of the first 17 digits, and the check character by Σ aᵢwᵢ mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)

# GB/T 2260 province-level codes (the first two digits of a region code): 11–15 华北, 21–23 东北,
# 31–37 华东, 41–46 中南, 50–54 西南, 61–65 西北, 71 台湾, 81 香港, 82 澳门.
PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip
# Residence permits of Taiwan residents (港澳台居民居住证, 2018) carry 830000 instead of a
# GB/T 2260 code, with the same check character; Hong Kong and Macao use 810000 and 820000.
RESIDENCE_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
# Credit codes of organs registered at the national level (e.g. ministries: 111000000000…)
# carry 100000 (全国) as the registration authority's region.
NATIONAL_REGION = "100000"

# GB 32100-2015: the 31-character alphabet (no I, O, S, V, Z) and the weights 3^i mod 31.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714: the organisation code embedded at positions 9–17 (8 characters + a check character).
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


@dataclass(frozen=True)
class ResidentId:
    """A checked 居民身份证号."""

    number: str  # 18 characters, the check character an upper-case X when it is 10
    region_code: str  # 6 digits, GB/T 2260 at the time of issue
    birth_date: date
    sex: str  # "M" (odd sequence digit) or "F"


@dataclass(frozen=True)
class CreditCode:
    """A checked 统一社会信用代码."""

    number: str
    registration_authority: str  # 登记管理部门码, e.g. 1 机构编制, 5 民政, 9 市场监管(工商), Y 其他
    organisation_kind: str  # 机构类别码, e.g. 1 企业/机关, 2 事业单位/个体工商户
    region_code: str  # 登记管理机关行政区划码
    organisation_code: str  # 主体标识码 (组织机构代码, GB 11714), 9 characters


def _normalise(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def _illegal(number: str, allowed: str) -> str:
    """The distinct characters of ``number`` not in ``allowed``, in order of appearance."""
    seen: list[str] = []
    for char in number:
        if char not in allowed and char not in seen:
            seen.append(char)
    return "".join(seen)


def _quoted(chars: str) -> str:
    return ", ".join(f'"{c}"' for c in chars)


# --- 居民身份证号 --------------------------------------------------------------------------


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or any(c not in DIGITS for c in first17):
        raise ValueError("the body of a resident ID number is 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def validate_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Check a 居民身份证号 (GB 11643-1999) and return its parts; raise ``InvalidInput``.

    ``today`` (default: today in Asia/Shanghai) is the latest possible birth date.
    """
    field = "id_number"
    number = _normalise(value)
    if len(number) != 18:
        raise InvalidInput(
            _("A resident ID number has 18 characters; %(n)d were given.") % {"n": len(number)},
            field=field,
        )
    bad = _illegal(_illegal(number[:17], DIGITS) + _illegal(number[17], DIGITS + "X"), "")
    if bad:
        raise InvalidInput(
            _(
                "A resident ID number is 17 digits followed by a digit or X; these characters "
                "are not allowed where they stand: %(chars)s."
            )
            % {"chars": _quoted(bad)},
            field=field,
        )
    region = number[:6]
    if region[:2] not in PROVINCES and region not in RESIDENCE_PERMIT_REGIONS:
        raise InvalidInput(
            _(
                "The region code %(code)s does not start with a province code of GB/T 2260 "
                "(%(prefix)s is not one)."
            )
            % {"code": region, "prefix": region[:2]},
            field=field,
        )
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput(
            _("The birth date %(d)s in the ID number is not a real date.") % {"d": number[6:14]},
            field=field,
        ) from None
    today = today or timezone.localdate()
    if birth > today:
        raise InvalidInput(
            _("The birth date %(d)s in the ID number is in the future.") % {"d": birth.isoformat()},
            field=field,
        )
    if birth < EARLIEST_BIRTH:
        raise InvalidInput(
            _("The birth date %(d)s in the ID number is before 1900, which is impossible.")
            % {"d": birth.isoformat()},
            field=field,
        )
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise InvalidInput(
            _("The check character of the ID number should be %(c)s, not %(given)s.")
            % {"c": expected, "given": number[17]},
            field=field,
        )
    return ResidentId(number, region, birth, "M" if int(number[16]) % 2 else "F")


# --- 统一社会信用代码 ----------------------------------------------------------------------


def organisation_code_check_char(first8: str) -> str:
    """The GB 11714 check character for the 8-character body of an organisation code."""
    if len(first8) != 8 or any(c not in ORG_VALUES for c in first8):
        raise ValueError("the body of an organisation code is 8 digits or capital letters")
    total = sum(ORG_VALUES[c] * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in CREDIT_ALPHABET for c in first17):
        raise ValueError("the body of a credit code is 17 characters of the GB 32100 alphabet")
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> CreditCode:
    """Check a 统一社会信用代码 (GB 32100-2015) and return its parts; raise ``InvalidInput``.

    Checks the length, the alphabet, the region code (a GB/T 2260 province prefix, or 100000
    for the national level), the embedded organisation code's GB 11714 check character and the
    final check character.
    """
    field = "credit_code"
    number = _normalise(value)
    if len(number) != 18:
        raise InvalidInput(
            _("A unified social credit code has 18 characters; %(n)d were given.")
            % {"n": len(number)},
            field=field,
        )
    bad = _illegal(number, CREDIT_ALPHABET)
    if bad:
        raise InvalidInput(
            _(
                "A unified social credit code cannot contain %(chars)s; it uses digits and "
                "capital letters except I, O, S, V and Z."
            )
            % {"chars": _quoted(bad)},
            field=field,
        )
    region = number[2:8]
    if any(c not in DIGITS for c in region) or (
        region[:2] not in PROVINCES and region != NATIONAL_REGION
    ):
        raise InvalidInput(
            _(
                "The region code %(code)s in the credit code (characters 3 to 8) is not a "
                "GB/T 2260 code."
            )
            % {"code": region},
            field=field,
        )
    org = number[8:17]
    org_expected = organisation_code_check_char(org[:8])
    if org[8] != org_expected:
        raise InvalidInput(
            _(
                "The organisation code %(org)s inside the credit code fails its GB 11714 check: "
                "its last character should be %(c)s."
            )
            % {"org": org, "c": org_expected},
            field=field,
        )
    expected = credit_code_check_char(number[:17])
    if number[17] != expected:
        raise InvalidInput(
            _("The check character of the credit code should be %(c)s, not %(given)s.")
            % {"c": expected, "given": number[17]},
            field=field,
        )
    return CreditCode(number, number[0], number[1], region, org)


# --- masking (personal data in lists and logs) ---------------------------------------------


def mask_resident_id(value: str) -> str:
    """Keep the region and the last four characters: ``110105********002X``."""
    value = value or ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Keep the first three and the last four digits: ``138****5678``."""
    value = value or ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# --- Django validators ---------------------------------------------------------------------


def resident_id_validator(value: str) -> None:
    """A Django field validator: ``ValidationError`` with the message of ``validate_resident_id``."""
    try:
        validate_resident_id(value)
    except InvalidInput as exc:
        raise ValidationError(exc.message, code="invalid_id_number") from exc


def credit_code_validator(value: str) -> None:
    """A Django field validator: ``ValidationError`` with the message of ``validate_credit_code``."""
    try:
        validate_credit_code(value)
    except InvalidInput as exc:
        raise ValidationError(exc.message, code="invalid_credit_code") from exc
