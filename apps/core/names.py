"""People's names in free text, for the privacy marks (`pii.find_personal_data`).

Rules, not a trained model: a capitalised word (or two or three) is taken for a name
when something around it says so: a title or a role before it ("Dr Patel", "Nurse
Sarah", "Sister Bethan Davies"), a relation ("my father, Gareth Kowalski"), a frame such
as "called" or "thank you to", a role after it ("Anna, the midwife"), or because its
first word is a first name in the names list. A name found once is marked wherever it
comes again in the same text. Each find says who it may be and why it was made.

The first names come from Faker's curated lists of given names, in all its locales
(see docs/decisions.md for the licence and where they come from), gathered once per
process on first use.
"""

from __future__ import annotations

import bisect
import importlib
import pkgutil
import re
import threading
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- the first-name list ------------------------------------------------------------
# Faker's lists of first names, in every locale it has, kept where written in the Latin
# alphabet: curated lists of the names people are given, across the countries most UK
# patients and NHS staff come from (docs/decisions.md, "Names in the privacy marks").
# The locales whose people write English: a name there that is also an English word
# ("Grace", "Anna") is kept; elsewhere such a name ("Long", "Low") reads as the word.
ENGLISH_LOCALES = _words("en_GB en_IE en_US en_CA en_AU en_NZ ga_IE")
_NAME_LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")

_lock = threading.Lock()
_first_names: FirstNames | None = None


@dataclass(frozen=True)
class FirstNames:
    every: frozenset[str]
    # Marked even where nothing around it says so, at the start of a sentence: a name
    # that is not also an English word, or is one first in English-speaking places.
    sure: frozenset[str]


def _latin(name: str) -> bool:
    return (
        all(c in "-'’" or (c.isalpha() and "LATIN" in unicodedata.name(c, "")) for c in name)
        and name[:1].isupper()
    )


def _faker_lists() -> dict[str, set[str]]:
    """Each Faker locale's first names, by locale."""
    import faker.providers.person as people

    found: dict[str, set[str]] = {}
    for module in pkgutil.iter_modules(people.__path__):
        provider = importlib.import_module(f"{people.__name__}.{module.name}").Provider
        names = found.setdefault(module.name, set())
        for attribute in _NAME_LISTS:
            listed = provider.__dict__.get(attribute)
            if isinstance(listed, list | tuple | set | frozenset | dict):
                names.update(n for n in listed if isinstance(n, str) and _latin(n))
    return found


def _from_package() -> FirstNames:
    words = _english_words()
    every, sure = set(), set()
    for locale, names in _faker_lists().items():
        for name in names:
            if name.lower() not in words:
                every.add(name)
                sure.add(name)
            elif locale in ENGLISH_LOCALES:
                # "Anna", "Holly": names first in English-speaking places. The words
                # that open sentences as often as names do ("Will", "May", "Hope") are
                # in STOP_WORDS, which no rule marks without a title.
                every.add(name)
                sure.add(name)
    return FirstNames(frozenset(every), frozenset(sure))


def _english_words() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"]) if w.islower())


def first_names() -> FirstNames:
    """The first-name list, gathered once per process (about 0.2 s)."""
    global _first_names
    if _first_names is None:
        with _lock:
            if _first_names is None:
                _first_names = _from_package()
    return _first_names


# --- what a name is -----------------------------------------------------------------
class Who(StrEnum):
    STAFF = "staff"
    RELATIVE = "relative"
    PERSON = "person"

    @property
    def label(self) -> str:
        return str(_WHO_LABELS[self])


_WHO_LABELS = {
    Who.STAFF: gettext_lazy("staff (after a title or role)"),
    Who.RELATIVE: gettext_lazy("relative or friend"),
    Who.PERSON: gettext_lazy("person"),
}


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    who: Who
    why: str
    roles: tuple[str, ...]


# Titles and roles written before a name, with the role a moderator may put instead.
STAFF_TITLES = {
    "Dr": "the doctor",
    "Doctor": "the doctor",
    "Prof": "the consultant",
    "Professor": "the consultant",
    "Nurse": "the nurse",
    "Sister": "the ward sister",
    "Sr": "the ward sister",
    "Matron": "the matron",
    "Midwife": "the midwife",
    "Consultant": "the consultant",
    "Surgeon": "the surgeon",
    "Registrar": "the registrar",
    "Physio": "the physiotherapist",
    "Paramedic": "the paramedic",
    "Porter": "the porter",
    "Receptionist": "the receptionist",
    "Pharmacist": "the pharmacist",
    "Chaplain": "the chaplain",
}
# Words that may stand before a staff title: "Staff Nurse Jones", "Ward Sister Ann".
TITLE_MODIFIERS = _words(
    "Staff Charge Senior Student Ward Head Deputy Junior Specialist Clinical Community "
    "District Practice Lead Chief Trainee Agency Bank Theatre Advanced"
)
PERSONAL_TITLES = _words("Mr Mrs Ms Miss Mx Sir Dame Lady Lord Rev Revd Reverend")
# Religious titles, unless "my" (or "his" …) makes them a relation.
RELIGIOUS_TITLES = {"Father": "the chaplain", "Brother": "the chaplain"}
PERSON_ROLES = ("a member of staff", "the patient", "a relative")

RELATIONS = _words(
    """father dad daddy mother mum mummy mom mam husband wife partner son daughter brother
    sister grandmother grandma gran granny nan nana nanna nanny grandfather grandad granddad
    grandpa grandson granddaughter grandchild aunt auntie aunty uncle niece nephew cousin
    friend boyfriend girlfriend fiance fiancé fiancée baby child boy girl stepdad stepfather
    stepmum stepmother stepson stepdaughter mother-in-law father-in-law son-in-law
    daughter-in-law sister-in-law brother-in-law twin neighbour flatmate carer
    great-grandmother great-grandfather"""
)
POSSESSIVES = _words("my our his her their your")
# Words allowed between the possessive and the relation: "my late father", "our baby girl".
RELATION_ADJECTIVES = _words(
    """late dear lovely beloved little elderly older younger eldest youngest oldest baby
    new newborn best disabled poorly frail wonderful darling beautiful"""
)
STAFF_ROLES = {
    "nurse": "the nurse",
    "doctor": "the doctor",
    "consultant": "the consultant",
    "surgeon": "the surgeon",
    "midwife": "the midwife",
    "matron": "the matron",
    "sister": "the ward sister",
    "physio": "the physiotherapist",
    "physiotherapist": "the physiotherapist",
    "paramedic": "the paramedic",
    "porter": "the porter",
    "receptionist": "the receptionist",
    "registrar": "the registrar",
    "anaesthetist": "the anaesthetist",
    "radiographer": "the radiographer",
    "sonographer": "the sonographer",
    "pharmacist": "the pharmacist",
    "dentist": "the dentist",
    "gp": "the GP",
    "hca": "the healthcare assistant",
    "assistant": "the healthcare assistant",
    "carer": "the carer",
    "therapist": "the therapist",
    "psychiatrist": "the psychiatrist",
    "psychologist": "the psychologist",
    "counsellor": "the counsellor",
    "worker": "the support worker",
    "visitor": "the health visitor",
    "manager": "the manager",
    "cleaner": "a member of staff",
    "student": "the student",
    "chaplain": "the chaplain",
    "optician": "the optician",
    "optometrist": "the optometrist",
    "technician": "the technician",
    "practitioner": "the practitioner",
}
# Frames after which a capitalised word is a name: "a nurse called Sarah", "thanks to Ola".
NAME_FRAMES = (
    "called",
    "named",
    "name is",
    "name was",
    "name's",
    "thanks to",
    "thank you to",
    "thank you",
    "thanks",
    "thank",
    "dear",
    # Care done by someone: "seen by Sarah", "looked after by Cerys Williams".
    "seen by",
    "looked after by",
    "cared for by",
    "given by",
    "treated by",
    "helped by",
    "supported by",
    "examined by",
    "visited by",
    "especially",
    "particularly",
    "in particular",
    "shout out to",
    "special mention to",
    "mention",
    "hi",
    "hello",
)
# Words that name a place or a body, not a person: "Ash Ward", "Queen Elizabeth Hospital".
PLACE_WORDS = _words(
    """ward wards hospital hospitals unit centre center clinic surgery practice house road
    street lane trust department suite wing block building infirmary hospice court lodge hall
    park avenue way close drive team services service nhs foundation community university
    college school general royal memorial theatre theatres bay room level floor medical
    health healthcare station village town city county council group partnership
    pharmacy ambulance home homes gardens place square centre's hospital's farm camp cross
    club cafe café church chapel mosque temple library liaison diversion project network
    programme course group groups"""
)
# Role words, in any case, are not names either ("Speech and Language Therapist").
_ROLE_WORDS = frozenset(STAFF_ROLES) | {f"{role}s" for role in STAFF_ROLES} | {"managers"}
PLACE_BEFORE = _words("St Saint Queen King Prince Princess Royal Mount Great New")

# Capitalised words that are not names, even where a rule above would take them: the
# words that start sentences and headings, and the common English words that the names
# list also holds (it was gathered from profiles where some people wrote such words).
STOP_WORDS = _words(
    """a about above absolutely after afternoon again all also although always am amazing an
    and another any anyone anything are as at awful back bad be because been before being
    best better both brilliant but by can cannot care caring could day days did do does
    doctor doctors during each eventually every everyone everything excellent extremely
    fantastic fab first for from further general good great had has have he her here hers
    him his how however i if in inpatient is it its just kind lastly later like lovely many
    me mine more most much my myself never next nice no nobody none not nothing now nurse
    nurses of on once one only or other our out outstanding over overall patient patients
    perhaps please really recently sadly she should since so some someone something sorry
    staff still such superb than thank thanks that the their them then there these they
    this those though through thus to today too two unfortunately until up upon us very
    was we well were what when where whilst while who whom why will with within without
    would wonderful yes yesterday yet you your yours unit ward team hospital sister matron
    consultant surgeon midwife mum dad mother father husband wife son daughter brother
    baby grandad nan gran friend god lord jesus christ covid corona coronavirus
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december christmas easter
    jan feb mar apr jun jul aug sep sept oct nov dec re mon tue wed thu fri sat sun
    english british welsh scottish irish english asian african polish
    mr mrs ms miss dr prof sir dame
    hi hello dear regards kindest sincerely love
    hope grace faith joy mercy patience charity honour honor blessing precious gift favour
    will mark bill sue pat ray rich frank carol angel max guy star summer rose lily dawn
    amber ruby sunny ash holly ivy iris daisy heather hazel robin sandy penny crystal
    chance chase miles don dean gene art bob rob nick sky rain storm brook river page
    major sterling lucky happy sunshine princess queen king prince royal bishop
    victoria elizabeth george albert alexandra mary margaret
    sure start ideas idea champion champions
    ive im id dont cant wont didnt isnt wasnt thats youre theyre weve
    ok okay x xx xxx eye eyes ear nose heart lung lungs chest head hand hands leg arm
    a&e gp gps ae icu itu ccu mri ct ecg
    london manchester birmingham leeds liverpool bristol sheffield newcastle nottingham
    leicester cardiff swansea newport glasgow edinburgh aberdeen dundee belfast york derby
    chester coventry oxford cambridge brighton plymouth exeter norwich hull bradford
    wales england scotland ireland britain uk europe lincoln preston bolton luton reading
    milton kent essex devon cornwall durham"""
)
# Stop words that still make a name after a title or a relation ("Dr Rose", "my son Will").
_AFTER_TITLE_ALLOWED = _words(
    """hope grace faith joy mercy patience charity honour honor blessing precious gift
    favour will mark bill sue pat ray rich frank carol angel max guy star summer rose lily
    dawn amber ruby sunny ash holly ivy iris daisy heather hazel robin sandy penny crystal
    chance chase miles don dean gene art bob rob nick sky rain storm brook river page major
    sterling lucky victoria elizabeth george albert alexandra mary margaret king bishop
    may june april august jan jun mar"""
)
# Place words that are also surnames, taken for a name after a title ("Dr Hall").
_SURNAME_PLACES = _words("hall lane wood park house court street way green bay")

# A word: letters, with inner apostrophes or hyphens (O'Brien, Smith-Jones).
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# An apostrophe in a name comes after its first letter or two, before a capital
# (O'Brien, D'Souza, Mc'… no): "I'm" and "Don't" are not names.
_APOSTROPHE_OK = re.compile(r"^(?:[^'’]*|[^\W\d_]{1,2}['’][A-Z][^'’]*)$")
_OPENERS = frozenset('.!?:;\n\r"“”([')


def _starts_sentence(text: str, at: int) -> bool:
    """Whether a word at `at` opens a sentence, a line, a quotation or a bracket. Looks
    back over spaces only, so a long text costs no more than a short one."""
    k = at - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    if k < 0 or text[k] in _OPENERS:
        return True
    return text[k] in "-–" and k > 0 and text[k - 1] == " "


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str  # without a possessive 's

    @property
    def capitalised(self) -> bool:
        first = self.text[0]
        return first.isupper() and not (len(self.text) > 1 and self.text.isupper())

    @property
    def lower(self) -> str:
        return self.text.lower()


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _WORD.finditer(text):
        word, end = match.group(), match.end()
        if word[-2:] in ("'s", "’s") and len(word) > 3:
            word, end = word[:-2], end - 2
        tokens.append(_Token(match.start(), end, word))
    return tokens


class _Reader:
    """One pass over a text's words, with the small look-arounds the rules need."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.names = first_names()
        lowered = {t.text for t in self.tokens if t.text.islower()}
        self.lowercase_words = lowered

    def gap(self, i: int) -> str:
        """What lies between token i-1 and token i."""
        before = self.tokens[i - 1].end if i > 0 else 0
        return self.text[before : self.tokens[i].start]

    def joined(self, i: int) -> bool:
        """Token i follows token i-1 as part of the same name: one space between (or a
        title's full stop: "Dr. Patel")."""
        return i > 0 and self.gap(i) in (" ", ". ")

    def sentence_start(self, i: int) -> bool:
        return _starts_sentence(self.text, self.tokens[i].start)

    def nameish(self, i: int, *, framed: bool) -> bool:
        """Token i could be (part of) a name: capitalised and not a word that never is."""
        token = self.tokens[i]
        if not token.capitalised or len(token.text) < 2 or not _APOSTROPHE_OK.match(token.text):
            return False
        lower = token.lower
        if lower in STOP_WORDS and not (framed and lower in _AFTER_TITLE_ALLOWED):
            return False
        if lower in PLACE_WORDS and not (framed and lower in _SURNAME_PLACES):
            return False
        if lower in _ROLE_WORDS:
            return False
        return token.text not in STAFF_TITLES

    def run(self, i: int, *, framed: bool, limit: int = 3) -> int:
        """The end (exclusive) of the name that starts at token i, or i if none does."""
        j = i
        while (
            j < len(self.tokens)
            and j - i < limit
            and (j == i or self.gap(j) == " ")
            and self.nameish(j, framed=framed)
        ):
            j += 1
        if j > i and self._placed(i, j):
            return i
        return j

    def _placed(self, i: int, j: int) -> bool:
        """The words i..j name a place: a place word follows ("Ash Ward", "Victoria
        Hospital") or a saint or sovereign comes before ("St Thomas")."""
        if j < len(self.tokens) and self.tokens[j].lower in PLACE_WORDS:
            return self.gap(j).strip() in ("", "'", "’")
        return i > 0 and self.tokens[i - 1].text in PLACE_BEFORE and self.joined(i)

    def known_first_name(self, i: int) -> bool:
        """Token i is in the first-name list (at the start of a sentence, where every word
        has a capital, a name that is surely one) and not written in lower case here."""
        token = self.tokens[i]
        names = self.names.sure if self.sentence_start(i) else self.names.every
        return token.text in names and token.lower not in self.lowercase_words

    def words_before(self, i: int, count: int) -> list[str]:
        """Up to `count` lower-cased words before token i, nearest last, within the
        clause (a full stop or a line break stops them)."""
        words: list[str] = []
        k = i - 1
        while k >= 0 and len(words) < count:
            if any(mark in self.gap(k + 1) for mark in ".!?\n"):
                break
            words.insert(0, self.tokens[k].lower)
            k -= 1
        return words


def _title_at(reader: _Reader, i: int) -> tuple[int, str, tuple[str, ...], Who] | None:
    """A title or role starting at token i ("Dr", "Staff Nurse", "Mrs"): the token after
    it, the title as written, the roles to suggest and who it makes the name."""
    tokens = reader.tokens
    j = i
    while j < len(tokens) - 1 and tokens[j].text in TITLE_MODIFIERS and reader.joined(j + 1):
        j += 1
    word = tokens[j].text
    if word not in STAFF_TITLES and word not in PERSONAL_TITLES and word not in RELIGIOUS_TITLES:
        return None
    before = reader.words_before(i, 1)
    if word in STAFF_TITLES:
        if word == "Sister" and before and before[0] in POSSESSIVES:
            return None  # "my Sister Ann" is a relation
        roles: tuple[str, ...] = (STAFF_TITLES[word], "a member of staff")
        who = Who.STAFF
    elif j == i and word in PERSONAL_TITLES:
        roles, who = PERSON_ROLES, Who.PERSON
    elif j == i and word in RELIGIOUS_TITLES and not (before and before[0] in POSSESSIVES):
        roles, who = (RELIGIOUS_TITLES[word], "a member of staff"), Who.STAFF
    else:
        return None
    if j + 1 >= len(tokens) or not reader.joined(j + 1):
        return None
    title = reader.text[tokens[i].start : tokens[j].end]
    return j + 1, title, roles, who


def _relation_before(reader: _Reader, i: int) -> str:
    """The relation written just before token i ("my father, ", "our baby girl "), or ""."""
    gap = reader.gap(i)
    if gap.strip() not in ("", ",", "(", "-", "–"):
        return ""
    words = reader.words_before(i, 4)
    for size in (2, 3, 4):
        if len(words) < size:
            break
        frame = words[-size:]
        if (
            frame[0] in POSSESSIVES
            and frame[-1] in RELATIONS
            and all(w in RELATION_ADJECTIVES or w in RELATIONS for w in frame[1:-1])
        ):
            start = reader.tokens[i - size].start
            return reader.text[start : reader.tokens[i - 1].end]
    return ""


def _role_before(reader: _Reader, i: int) -> tuple[str, str] | None:
    """A staff role just before token i, lower case ("the nurse, Sarah", "nurse Sarah",
    "a nurse called Sarah"): the role word and the role to suggest."""
    words = reader.words_before(i, 3)
    if not words:
        return None
    if words[-1] in ("called", "named") and len(words) >= 2:
        words = words[:-1]
    elif reader.gap(i).strip() not in ("", ",", "("):
        return None
    word = words[-1]
    if word in STAFF_ROLES and reader.tokens[i - 1].text.islower():
        return word, STAFF_ROLES[word]
    return None


def _role_after(reader: _Reader, j: int) -> tuple[str, str] | None:
    """A staff role or relation just after the name ending before token j ("Anna, the
    midwife", "Gareth (my husband)"): the words and who they make the name."""
    tokens = reader.tokens
    if j + 1 >= len(tokens) or reader.gap(j).strip() not in (",", "(", "-", "–", ""):
        return None
    first, second = tokens[j].lower, tokens[j + 1].lower
    if first in ("the", "our", "a") and second in STAFF_ROLES:
        return f"{first} {second}", STAFF_ROLES[second]
    if first in POSSESSIVES and second in RELATIONS and reader.gap(j).strip() in (",", "("):
        return f"{first} {second}", ""
    return None


def _frame_before(reader: _Reader, i: int) -> str:
    words = reader.words_before(i, 3)
    gap = reader.gap(i).strip()
    if gap not in ("", ",", ":"):
        return ""
    for frame in NAME_FRAMES:
        size = frame.count(" ") + 1
        if " ".join(words[-size:]) == frame:
            return frame
    return ""


def _why_title(title: str) -> str:
    return _("after the title “%(title)s”") % {"title": title}


def _find_at(reader: _Reader, i: int) -> tuple[Name, int] | None:
    """The name that starts at token i (a title included), and the token after it."""
    titled = _title_at(reader, i)
    if titled is not None:
        after, title, roles, who = titled
        end = reader.run(after, framed=True)
        if end > after:
            span = (reader.tokens[i].start, reader.tokens[end - 1].end)
            return Name(*span, who, _why_title(title), roles), end
        return None
    if not reader.nameish(i, framed=True):
        return None
    return _framed_at(reader, i) or _listed_first_name_at(reader, i)


def _framed_at(reader: _Reader, i: int) -> tuple[Name, int] | None:
    """A capitalised run that a relation, a role or a frame around it makes a name."""
    relation = _relation_before(reader, i)
    role = None if relation else _role_before(reader, i)
    frame = "" if relation or role else _frame_before(reader, i)
    end = reader.run(i, framed=bool(relation or role or frame))
    if end == i:
        return None
    start, stop = reader.tokens[i].start, reader.tokens[end - 1].end
    if relation:
        why = _("after “%(frame)s”") % {"frame": relation}
        roles: tuple[str, ...] = (relation.lower(), "the patient", "a relative")
        return Name(start, stop, Who.RELATIVE, why, roles), end
    if role:
        why = _("after “%(frame)s”") % {"frame": role[0]}
        return Name(start, stop, Who.STAFF, why, (role[1], "a member of staff")), end
    after = _role_after(reader, end)
    if after:
        why = _("before “%(frame)s”") % {"frame": after[0]}
        if after[1]:
            return Name(start, stop, Who.STAFF, why, (after[1], "a member of staff")), end
        return Name(start, stop, Who.RELATIVE, why, (after[0], "a relative")), end
    if frame and (reader.known_first_name(i) or end - i > 1):
        why = _("after “%(frame)s”") % {"frame": frame}
        return Name(start, stop, Who.PERSON, why, PERSON_ROLES), end
    return None


def _listed_first_name_at(reader: _Reader, i: int) -> tuple[Name, int] | None:
    """A word from the first-name list, with the capitalised words after it."""
    if not reader.known_first_name(i) or reader.tokens[i].lower in STOP_WORDS:
        return None
    end = reader.run(i, framed=False)
    if end == i:
        return None
    why = _LISTED_WHY()
    span = (reader.tokens[i].start, reader.tokens[end - 1].end)
    return Name(*span, Who.PERSON, why, PERSON_ROLES), end


def _LISTED_WHY() -> str:  # noqa: N802 - a constant, translated when asked
    return _("a first name in the names list")


def _again(reader: _Reader, found: list[Name]) -> list[Name]:
    """Every other mention of a word of a name already found ("Dr Patel … Patel said")."""
    seen: dict[str, Name] = {}
    for name in found:
        for token in _tokens(reader.text[name.start : name.end]):
            titled = token.text in STAFF_TITLES or token.text in PERSONAL_TITLES
            if not titled and len(token.text) >= 3 and token.lower not in STOP_WORDS:
                seen.setdefault(token.text, name)
    covered = sorted((n.start, n.end) for n in found)
    starts = [start for start, _end in covered]
    more = []
    for index, token in enumerate(reader.tokens):
        first = seen.get(token.text)
        # Not where the words it starts name a place ("Lucy Wade ward").
        if first is None or reader.run(index, framed=True) == index:
            continue
        at = bisect.bisect_right(starts, token.start) - 1
        if at >= 0 and covered[at][0] <= token.start < covered[at][1]:
            continue
        why = _("the same name as “%(name)s”") % {"name": reader.text[first.start : first.end]}
        more.append(Name(token.start, token.end, first.who, why, first.roles))
    return more


def find_names(text: str) -> list[Name]:
    """Every likely person's name in the text, in order, without overlaps."""
    reader = _Reader(text)
    found: list[Name] = []
    i = 0
    while i < len(reader.tokens):
        hit = _find_at(reader, i)
        if hit is None:
            i += 1
            continue
        name, i = hit
        found.append(name)
    framed = [n for n in found if n.why != _LISTED_WHY()]
    listed = [n for n in found if n.why == _LISTED_WHY()]
    # A listed first name that a framed name holds ("Dr Okonkwo … Okonkwo rang") is
    # marked as a mention of the framed one, which says more.
    again = _again(reader, framed)
    spans = {(n.start, n.end) for n in again}
    kept = framed + [n for n in listed if (n.start, n.end) not in spans]
    kept.extend(_again(reader, kept))
    return sorted(set(kept), key=lambda n: n.start)


# --- replacing a name with a role ---------------------------------------------------
def replace_name(text: str, name: str, role: str) -> tuple[str, int]:
    """The text with every whole-word mention of `name` replaced by `role`, and how many.

    A mention right after the role itself loses the name and its commas ("my father,
    Gareth Kowalski, was" → "my father was"); a role at the start of a sentence gets a
    capital ("Dr Patel saw us" → "The doctor saw us"). Case is kept as written: "Will"
    the name is replaced, "will" the verb is not."""
    name, role = name.strip(), " ".join(role.split())
    if not name or not role:
        return text, 0
    # The role just before the name, with a comma or an opening bracket between, and
    # a closing comma or bracket after: all of that becomes the role alone.
    appositive = re.compile(
        rf"(?<![\w'’-])({re.escape(role)})(\s*,\s*|\s*\(\s*|\s+){re.escape(name)}"
        rf"(?![\w-])(\s*\)|,(?=\s))?",
        re.IGNORECASE,
    )
    text, collapsed = appositive.subn(lambda m: m.group(1), text)
    mention = re.compile(rf"(?<![\w'’-]){re.escape(name)}(?![\w-])")

    def put(match: re.Match[str]) -> str:
        k = match.start() - 1
        while k >= 0 and text[k] in " \t":
            k -= 1
        if k < 0 or text[k] in ".!?\n\r":
            return role[0].upper() + role[1:]
        return role

    text, replaced = mention.subn(put, text)
    return text, collapsed + replaced
