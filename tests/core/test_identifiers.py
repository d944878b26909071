"""GB 11643 resident ID numbers and GB 32100 unified social credit codes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core import identifiers as ids
from tongban.core.errors import InvalidInput

STANDARD_EXAMPLE = "11010519491231002X"  # GB 11643-1999's own example


@pytest.fixture(autouse=True)
def _english(english):
    yield


def _refused(validate, value, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        validate(value, **kwargs)
    return err.value


# --- 居民身份证号 ---------------------------------------------------------------------------


def test_the_standards_own_example():
    rid = ids.validate_resident_id(STANDARD_EXAMPLE)
    assert rid == ids.ResidentId(STANDARD_EXAMPLE, "110105", date(1949, 12, 31), "F")


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case x
        "  11010519491231002X\n",  # blanks around it
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width, as a Chinese input method types it
    ],
)
def test_input_is_normalised(typed):
    assert ids.validate_resident_id(typed).number == STANDARD_EXAMPLE


def test_sex_comes_from_the_parity_of_the_sequence():
    body = "11010519800101001"  # sequence 001: odd → male
    assert ids.validate_resident_id(body + ids.resident_id_check_char(body)).sex == "M"
    body = "11010519800101002"
    assert ids.validate_resident_id(body + ids.resident_id_check_char(body)).sex == "F"


def test_residence_permits_of_taiwan_residents_are_accepted():
    body = "83000019900101001"
    number = body + ids.resident_id_check_char(body)
    assert ids.validate_resident_id(number).region_code == "830000"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "18 characters; 0 were given"),
        ("1101051949123100", "18 characters; 16 were given"),
        (STANDARD_EXAMPLE + "0", "18 characters; 19 were given"),
        ("11010519491231002Y", 'not allowed where they stand: "Y"'),
        ("1101051949X231002X", 'not allowed where they stand: "X"'),
        ("11010519491231-0-X", 'not allowed where they stand: "-"'),
        ("110105١٩٤٩1231002X", 'not allowed where they stand: "١", "٩", "٤"'),  # Arabic-Indic
        ("99010519491231002X", "region code 990105 does not start with a province code"),
        ("10000019491231002X", "(10 is not one)"),
        ("110105194902300021", "birth date 19490230 in the ID number is not a real date"),
        ("110105000001010011", "not a real date"),
        ("110105189912310011", "1899-12-31 in the ID number is before 1900"),
        ("110105194912310021", "check character of the ID number should be X, not 1"),
    ],
)
def test_resident_id_errors_say_what_is_wrong(value, fragment):
    err = _refused(ids.validate_resident_id, value)
    assert fragment in str(err.message)
    assert err.field == "id_number"
    assert err.errors == {"id_number": [str(err.message)]}


def test_a_birth_date_in_the_future_is_refused():
    body = "11010520260102001"
    number = body + ids.resident_id_check_char(body)
    assert ids.validate_resident_id(number, today=date(2026, 1, 2)).birth_date == date(2026, 1, 2)
    err = _refused(ids.validate_resident_id, number, today=date(2026, 1, 1))
    assert "birth date 2026-01-02 in the ID number is in the future" in str(err.message)


def test_check_char_helper_refuses_a_malformed_body():
    with pytest.raises(ValueError):
        ids.resident_id_check_char("1101051949123100")
    with pytest.raises(ValueError):
        ids.resident_id_check_char("1101051949123100X")


def _resident_id(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + ids.resident_id_check_char(body)


resident_ids = st.builds(
    _resident_id,
    st.sampled_from(
        ["110105", "120101", "310101", "440305", "540102", "650102", "710000", "820000"]
    ),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@settings(max_examples=150, deadline=None)
@given(number=resident_ids)
def test_computed_numbers_validate_and_every_single_character_change_is_caught(number):
    parsed = ids.validate_resident_id(number)
    assert parsed.number == number
    assert parsed.birth_date.strftime("%Y%m%d") == number[6:14]
    assert parsed.sex == ("M" if int(number[16]) % 2 else "F")
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == number[position]:
                continue
            changed = number[:position] + replacement + number[position + 1 :]
            with pytest.raises(InvalidInput):
                ids.validate_resident_id(changed)


# --- 统一社会信用代码 -----------------------------------------------------------------------


def make_credit_code(prefix: str, region: str, org_body: str) -> str:
    """A valid code: authority + kind, 6-digit region, 8-character organisation body; the two
    check characters computed."""
    first17 = prefix + region + org_body + ids.organisation_code_check_char(org_body)
    return first17 + ids.credit_code_check_char(first17)


@pytest.mark.parametrize(
    ("number", "parts"),
    [
        # A company registered by 市场监管 in 福州市 (a widely used sample).
        ("91350100M000100Y43", ("9", "1", "350100", "M000100Y4")),
        # A ministry, registered at the national level (region 100000).
        ("11100000000013127D", ("1", "1", "100000", "000013127")),
    ],
)
def test_real_format_credit_codes(number, parts):
    parsed = ids.validate_credit_code(number.lower())
    assert parsed.number == number
    assert (
        parsed.registration_authority,
        parsed.organisation_kind,
        parsed.region_code,
        parsed.organisation_code,
    ) == parts


def test_computed_credit_codes_validate():
    for prefix, region, body in [
        ("91", "110105", "MA01ABCD"),  # enterprise, 北京市朝阳区
        ("12", "320100", "46600123"),  # public institution, 南京市
        ("53", "440300", "MJL12345"),  # 民政 foundation, 深圳市
        ("Y1", "650100", "00000001"),
    ]:
        code = make_credit_code(prefix, region, body)
        assert ids.validate_credit_code(code).region_code == region


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("9111010", "18 characters; 7 were given"),
        ("91110105MA01ABCDIO", 'cannot contain "I", "O"'),
        ("91110105MA01ABCDS-", 'cannot contain "S", "-"'),
        ("Z1110105MA01ABCD00", 'cannot contain "Z"'),
        ("91990105MA01ABCD00", "region code 990105 in the credit code"),
        ("9111A105MA01ABCD00", "region code 11A105 in the credit code"),
        ("91200000MA01ABCD00", "region code 200000"),
    ],
)
def test_credit_code_errors_say_what_is_wrong(value, fragment):
    err = _refused(ids.validate_credit_code, value)
    assert fragment in str(err.message)
    assert err.field == "credit_code"


def test_credit_code_organisation_and_final_checks_name_the_expected_character():
    good = make_credit_code("91", "110105", "MA01ABCD")
    org_check = ids.organisation_code_check_char("MA01ABCD")
    wrong_org = "1" if org_check != "1" else "2"
    bad_org = good[:16] + wrong_org + good[17]
    err = _refused(ids.validate_credit_code, bad_org)
    assert (
        f"organisation code MA01ABCD{wrong_org} inside the credit code fails its GB 11714 check: "
        f"its last character should be {org_check}"
    ) in str(err.message)

    alphabet = ids.CREDIT_ALPHABET
    wrong_final = alphabet[(alphabet.index(good[17]) + 1) % 31]
    err = _refused(ids.validate_credit_code, good[:17] + wrong_final)
    expected = f"check character of the credit code should be {good[17]}, not {wrong_final}"
    assert expected in str(err.message)


def test_organisation_code_check_follows_gb_11714():
    # Weights 3,7,9,10,5,8,4,2; c = 11 − Σ mod 11; 10 → X, 11 → 0.
    assert ids.organisation_code_check_char("00001312") == "7"  # from 11100000000013127D
    assert ids.organisation_code_check_char("M000100Y") == "4"  # from 91350100M000100Y43
    assert ids.organisation_code_check_char("00000000") == "0"  # Σ = 0 → 11 → 0
    assert ids.organisation_code_check_char("00000001") == "9"  # Σ = 2 → 9
    assert ids.organisation_code_check_char("00000009") == "4"  # Σ = 18 → 7, 11 − 7 = 4
    assert ids.organisation_code_check_char("00000006") == "X"  # Σ = 12 → 1 … 11 − 1 = 10
    assert ids.organisation_code_check_char("0000000A") == "2"  # A = 10: Σ = 20 → 9
    with pytest.raises(ValueError):
        ids.organisation_code_check_char("0000000")


credit_bodies = st.tuples(
    st.text(alphabet=ids.CREDIT_ALPHABET, min_size=2, max_size=2),
    st.sampled_from(["110105", "310115", "440300", "100000", "820000"]),
    st.text(alphabet=ids.CREDIT_ALPHABET, min_size=8, max_size=8),
)


@settings(max_examples=120, deadline=None)
@given(parts=credit_bodies)
def test_every_single_character_change_of_a_credit_code_is_caught(parts):
    code = make_credit_code(*parts)
    assert ids.validate_credit_code(code).number == code
    for position in range(18):
        for replacement in ids.CREDIT_ALPHABET + "IOSVZ":
            if replacement == code[position]:
                continue
            changed = code[:position] + replacement + code[position + 1 :]
            with pytest.raises(InvalidInput):
                ids.validate_credit_code(changed)


# --- masking and Django validators ---------------------------------------------------------


def test_masking():
    assert ids.mask_resident_id(STANDARD_EXAMPLE) == "110105********002X"
    assert ids.mask_resident_id("110105490101001") == "110105*****1001"  # a 15-digit old number
    assert ids.mask_resident_id("1234") == "****"
    assert ids.mask_resident_id("") == ""
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.mask_phone("1234567") == "*******"  # too short to keep both ends
    assert ids.mask_phone("") == ""


def test_django_validators_raise_validation_error_with_the_same_message():
    ids.resident_id_validator(STANDARD_EXAMPLE)  # valid: no exception
    ids.credit_code_validator("91350100M000100Y43")
    with pytest.raises(ValidationError) as err:
        ids.resident_id_validator("110105194912310021")
    assert err.value.code == "invalid_id_number"
    assert err.value.messages == ["The check character of the ID number should be X, not 1."]
    with pytest.raises(ValidationError) as err:
        ids.credit_code_validator("9111010")
    assert err.value.code == "invalid_credit_code"
    assert err.value.messages == ["A unified social credit code has 18 characters; 7 were given."]
