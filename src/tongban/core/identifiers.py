"""Identifier rules: 居民身份证号 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015).

Each check raises ``InvalidInput`` with a message that says exactly what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import InvalidInput

# GB 11643-1999: weights of the first 17 digits and the check characters by remainder mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# GB/T 2260 province-level codes (the first two digits of a region code).
PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip

# GB 32100-2015: the 31-character alphabet (no I, O, S, V, Z) and the weights.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714: the organisation code embedded at positions 9–17.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    sex: str  # "M" or "F"


@dataclass(frozen=True)
class CreditCode:
    number: str
    registration_authority: str
    organisation_kind: str
    region_code: str
    organisation_code: str


def resident_id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def validate_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise InvalidInput(
            _("A resident ID number has 18 characters; %(n)d were given.") % {"n": len(number)},
            field="id_number",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidInput(
            _("A resident ID number has 17 digits followed by a digit or X."), field="id_number"
        )
    region = number[:6]
    if region[:2] not in PROVINCES:
        raise InvalidInput(
            _("The region code %(code)s does not start with a province code of GB/T 2260.")
            % {"code": region},
            field="id_number",
        )
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput(
            _("The birth date %(d)s in the ID number is not a real date.") % {"d": number[6:14]},
            field="id_number",
        ) from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1900:
        raise InvalidInput(
            _("The birth date %(d)s in the ID number is impossible.") % {"d": birth.isoformat()},
            field="id_number",
        )
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise InvalidInput(
            _("The check character of the ID number should be %(c)s, not %(given)s.")
            % {"c": expected, "given": number[17]},
            field="id_number",
        )
    return ResidentId(number, region, birth, "M" if int(number[16]) % 2 else "F")


def organisation_code_check_char(first8: str) -> str:
    """GB 11714 check character for the 8-character body of an organisation code."""
    total = sum(ORG_ALPHABET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> CreditCode:
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise InvalidInput(
            _("A unified social credit code has 18 characters; %(n)d were given.")
            % {"n": len(number)},
            field="credit_code",
        )
    bad = sorted({c for c in number if c not in CREDIT_ALPHABET})
    if bad:
        raise InvalidInput(
            _(
                "A unified social credit code cannot contain %(chars)s (I, O, S, V and Z are never used)."
            )
            % {"chars": ", ".join(bad)},
            field="credit_code",
        )
    region = number[2:8]
    if not region.isdigit() or region[:2] not in PROVINCES:
        raise InvalidInput(
            _("The region code %(code)s in the credit code is not a GB/T 2260 code.")
            % {"code": region},
            field="credit_code",
        )
    org = number[8:17]
    if all(c in ORG_ALPHABET for c in org[:8]) and (org[8].isdigit() or org[8] == "X"):
        org_expected = organisation_code_check_char(org[:8])
        if org[8] != org_expected:
            raise InvalidInput(
                _("The organisation code %(org)s inside the credit code should end in %(c)s.")
                % {"org": org, "c": org_expected},
                field="credit_code",
            )
    else:
        raise InvalidInput(
            _("The organisation code %(org)s inside the credit code is malformed.") % {"org": org},
            field="credit_code",
        )
    expected = credit_code_check_char(number[:17])
    if number[17] != expected:
        raise InvalidInput(
            _("The check character of the credit code should be %(c)s, not %(given)s.")
            % {"c": expected, "given": number[17]},
            field="credit_code",
        )
    return CreditCode(number, number[0], number[1], region, org)


def mask_resident_id(value: str) -> str:
    """Keep the region and the last four characters: 110105********002X."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def resident_id_validator(value: str) -> None:
    try:
        validate_resident_id(value)
    except InvalidInput as exc:
        raise ValidationError(str(exc.message), code="invalid_id_number") from exc


def credit_code_validator(value: str) -> None:
    try:
        validate_credit_code(value)
    except InvalidInput as exc:
        raise ValidationError(str(exc.message), code="invalid_credit_code") from exc
