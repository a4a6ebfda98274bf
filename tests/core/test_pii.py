from __future__ import annotations

import pytest

from apps.core.pii import MarkKind, find_personal_data, highlight, nhs_number_is_valid


def kinds(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(m.kind.value, m.text) for m in find_personal_data(text, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("9434765919", True),  # the NHS's published example
        ("9434765918", False),  # wrong check digit
        ("4010232137", True),
        ("1234567890", False),  # check digit would be 10: never issued
        ("943476591", False),
        ("94347659190", False),
    ],
)
def test_nhs_number_modulus_11(number: str, valid: bool) -> None:
    assert nhs_number_is_valid(number) is valid


def test_nhs_numbers_are_marked_only_when_the_check_digit_passes() -> None:
    assert kinds("My NHS number is 943 476 5919.") == [("nhs_number", "943 476 5919")]
    assert kinds("Reference 943-476-5918 was on the letter") == []


@pytest.mark.parametrize(
    "phone",
    [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "0113 496 0000",
        "020 7946 0018",
        "(0161) 496 0123",
        "+44 (0)20 7946 0018",
        "0800 123 4567",
    ],
)
def test_uk_phone_numbers(phone: str) -> None:
    assert kinds(f"Ring me on {phone} please") == [("phone", phone)]


def test_emails_postcodes_and_dates() -> None:
    text = (
        "Write to sam.jones+care@example.co.uk. We live at LS1 4AP; Dad was born "
        "12/03/1954 and admitted on 3rd May 2024, or May 3, 2024."
    )
    assert kinds(text) == [
        ("email", "sam.jones+care@example.co.uk"),
        ("postcode", "LS1 4AP"),
        ("date", "12/03/1954"),
        ("date", "3rd May 2024"),
        ("date", "May 3, 2024"),
    ]


def test_listed_staff_names_are_marked_whole_words_only() -> None:
    text = "Nurse Bethany was kind; Dr Okafor explained. Bethanys is not a name here."
    # A listed name inside a name the rules find is marked whole, as listed.
    assert kinds(text, staff_names=["Bethany", "Dr Okafor", " "]) == [
        ("staff_name", "Nurse Bethany"),
        ("staff_name", "Dr Okafor"),
    ]


def test_ordinary_story_text_has_no_marks() -> None:
    text = (
        "I waited 4 hours in A&E on ward 12. The 3 nurses were lovely and the "
        "consultant spent 20 minutes with us. 10/10 would recommend."
    )
    assert kinds(text) == []


def test_highlight_escapes_text_and_names_each_mark() -> None:
    text = "<b>Call</b> 07700 900123"
    html = highlight(text, find_personal_data(text))
    assert html.startswith('&lt;b&gt;Call&lt;/b&gt; <mark class="pii pii-phone"')
    assert (
        '07700 900123<span class="visually-hidden"> (Possible phone number)</span></mark>' in html
    )
    assert MarkKind.PHONE.label == "phone number"
