"""GB 11643 resident ID numbers and GB 32100 unified social credit codes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core import identifiers as ids
from tongban.core.errors import InvalidInput


@pytest.fixture(autouse=True)
def _english(english):
    yield


def test_the_standards_own_example():
    rid = ids.validate_resident_id("11010519491231002x")
    assert rid.number == "11010519491231002X"
    assert rid.birth_date == date(1949, 12, 31) and rid.sex == "F" and rid.region_code == "110105"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1101051949123100", "18 characters; 16 were given"),
        ("11010519491231002Y", "17 digits followed by a digit or X"),
        ("99010519491231002X", "province code"),
        ("110105194902300021", "not a real date"),
        ("110105209901010011", "impossible"),
        ("110105194912310021", "should be X, not 1"),
    ],
)
def test_resident_id_errors_say_what_is_wrong(value, fragment):
    with pytest.raises(InvalidInput) as err:
        ids.validate_resident_id(value)
    assert fragment in str(err.value.message)


def make_credit_code(body16: str) -> str:
    """Build a valid code: 2-char prefix + 6 region digits + 8-char org body, check chars computed."""
    org = body16[8:16]
    first17 = body16[:8] + org + ids.organisation_code_check_char(org)
    return first17 + ids.credit_code_check_char(first17)


def test_a_computed_credit_code_validates():
    code = make_credit_code("91110105" + "MA01ABCD")
    parsed = ids.validate_credit_code(code)
    assert parsed.region_code == "110105" and parsed.registration_authority == "9"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("9111010", "18 characters; 7 were given"),
        ("91110105MA01ABCDIO", "cannot contain I, O"),
        ("91990105MA01ABCD00", "not a GB/T 2260 code"),
    ],
)
def test_credit_code_errors(value, fragment):
    with pytest.raises(InvalidInput) as err:
        ids.validate_credit_code(value)
    assert fragment in str(err.value.message)


def test_credit_code_wrong_organisation_and_final_check():
    good = make_credit_code("91110105" + "MA01ABCD")
    bad_org = good[:16] + ("0" if good[16] != "0" else "1") + good[17]
    with pytest.raises(InvalidInput, match="organisation code"):
        ids.validate_credit_code(bad_org)
    alphabet = ids.CREDIT_ALPHABET
    bad_final = good[:17] + alphabet[(alphabet.index(good[17]) + 1) % 31]
    with pytest.raises(InvalidInput, match="check character of the credit code"):
        ids.validate_credit_code(bad_final)


def test_masking():
    assert ids.mask_resident_id("11010519491231002X") == "110105********002X"
    assert ids.mask_phone("13812345678") == "138****5678"


def _resident_id(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + ids.resident_id_check_char(body)


resident_ids = st.builds(
    _resident_id,
    st.sampled_from(["110105", "310101", "440305", "650102", "820000"]),
    st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@settings(max_examples=150, deadline=None)
@given(
    number=resident_ids, position=st.integers(min_value=0, max_value=17), digit=st.integers(0, 10)
)
def test_any_single_character_change_is_caught(number, position, digit):
    ids.validate_resident_id(number)
    replacement = "0123456789X"[digit]
    if number[position] == replacement or (position < 17 and replacement == "X"):
        return
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidInput):
        ids.validate_resident_id(changed)
