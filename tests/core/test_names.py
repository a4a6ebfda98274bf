"""People's names in the privacy marks: who each may be, why it was marked, and the
capitalised words that are not names."""

from __future__ import annotations

import pytest

from apps.core.names import replace_name
from apps.core.pii import Mark, MarkKind, find_personal_data, highlight


def names(text: str, **kwargs: object) -> list[Mark]:
    return [m for m in find_personal_data(text, **kwargs) if m.is_name]  # type: ignore[arg-type]


def found(text: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.who, m.why) for m in names(text)]


@pytest.mark.parametrize(
    ("text", "name", "who", "why", "role"),
    [
        ("We saw Dr Patel at ten.", "Dr Patel", "staff", "after the title “Dr”", "the doctor"),
        ("Dr. Patel was kind.", "Dr. Patel", "staff", "after the title “Dr”", "the doctor"),
        ("Thanks to Nurse Sarah.", "Nurse Sarah", "staff", "after the title “Nurse”", "the nurse"),
        (
            "I met Sister Bethan Davies on the ward.",
            "Sister Bethan Davies",
            "staff",
            "after the title “Sister”",
            "the ward sister",
        ),
        (
            "Staff Nurse Kofi Mensah helped.",
            "Staff Nurse Kofi Mensah",
            "staff",
            "after the title “Staff Nurse”",
            "the nurse",
        ),
        (
            "Mrs Okafor came in.",
            "Mrs Okafor",
            "person",
            "after the title “Mrs”",
            "a member of staff",
        ),
        (
            "Then my father, Gareth Kowalski, was admitted.",
            "Gareth Kowalski",
            "relative",
            "after “my father”",
            "my father",
        ),
        (
            "Our baby girl Amelia was born.",
            "Amelia",
            "relative",
            "after “Our baby girl”",
            "our baby girl",
        ),
        ("A nurse called Ngozi helped.", "Ngozi", "staff", "after “nurse”", "the nurse"),
        (
            "We liked Ola, the midwife, a lot.",
            "Ola",
            "staff",
            "before “the midwife”",
            "the midwife",
        ),
        (
            "Anna was lovely.",
            "Anna",
            "person",
            "a first name in the names list",
            "a member of staff",
        ),
        (
            "Siobhan O'Brien rang.",
            "Siobhan O'Brien",
            "person",
            "a first name in the names list",
            "a member of staff",
        ),
        (
            "Mr Smith-Jones operated.",
            "Mr Smith-Jones",
            "person",
            "after the title “Mr”",
            "a member of staff",
        ),
    ],
)
def test_names_are_marked_with_who_and_why(
    text: str, name: str, who: str, why: str, role: str
) -> None:
    [mark] = names(text)
    assert (mark.kind, mark.text, mark.who, mark.why) == (MarkKind.PERSON_NAME, name, who, why)
    assert mark.roles[0] == role
    assert text[mark.start : mark.end] == name


def test_a_name_found_once_is_marked_wherever_it_comes_again() -> None:
    text = "Dr Okonkwo saw us. Later Okonkwo rang back."
    assert found(text) == [
        ("Dr Okonkwo", "staff", "after the title “Dr”"),
        ("Okonkwo", "staff", "the same name as “Dr Okonkwo”"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Thank you to everyone on the ward.",
        "Thank you so much. Thanks again.",
        "The Nurse was kind and the Doctor listened.",
        "Nurse. Nurses. The Nurse Practitioner saw me.",
        "I was on Ward 7 and then Ash Ward, then the Rowan ward.",
        "We went to Queen Elizabeth Hospital and St Thomas' in London.",
        "It was Monday 3rd of May. In June and August we came back. Christmas was hard.",
        "I waited in A&E for hours; the GP and the NHS 111 line were no help.",
        "Even so, Despite everything, Sure Start helped. Constant chasing. Low staffing.",
        "Will you call me? May I ask? Hope is all we had. Grace under pressure.",
        "I'm grateful. Don't wait.",
    ],
)
def test_ordinary_capitalised_words_are_not_names(text: str) -> None:
    assert found(text) == []


def test_a_word_written_in_lower_case_elsewhere_is_not_taken_for_a_name() -> None:
    # "Bill" is no name here: "bill" is written in lower case in the same text.
    assert found("Bill me later; the bill came.") == []


def test_titles_and_relations_make_names_of_words_the_list_lacks() -> None:
    assert [m.text for m in names("My wife Zbigniewa and Dr Xylophonius")] == [
        "Zbigniewa",
        "Dr Xylophonius",
    ]


def test_my_sister_is_a_relation_not_a_ward_sister() -> None:
    [mark] = names("My Sister Claire came.")
    assert (mark.text, mark.who) == ("Claire", "relative")


def test_the_reason_is_in_the_marked_texts_title_and_read_aloud() -> None:
    text = "Dr Patel <b>was</b> kind"
    html = highlight(text, find_personal_data(text))
    assert html.startswith(
        '<mark class="pii pii-person_name" title="Possible person&#x27;s name: staff (after a '
        'title or role), after the title “Dr”">Dr Patel'
    )
    assert "&lt;b&gt;was&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("text", "name", "role", "expected", "count"),
    [
        (
            "Dr Patel saw us. I liked Dr Patel. Dr Patelson did not.",
            "Dr Patel",
            "the doctor",
            "The doctor saw us. I liked the doctor. Dr Patelson did not.",
            2,
        ),
        (
            "Then my father, Gareth Kowalski, was admitted. Gareth Kowalski was 80.",
            "Gareth Kowalski",
            "my father",
            "Then my father was admitted. My father was 80.",
            2,
        ),
        ("Will said he will come.", "Will", "my son", "My son said he will come.", 1),
        (
            "Thanks to Nurse Sarah's care.",
            "Nurse Sarah",
            "the nurse",
            "Thanks to the nurse's care.",
            1,
        ),
        ("Nothing here.", "Dr Patel", "the doctor", "Nothing here.", 0),
        ("Dr Patel", "Dr Patel", "   ", "Dr Patel", 0),
    ],
)
def test_replacing_a_name_with_a_role(
    text: str, name: str, role: str, expected: str, count: int
) -> None:
    assert replace_name(text, name, role) == (expected, count)
