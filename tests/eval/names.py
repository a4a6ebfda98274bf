"""How well the privacy marks find people's names: `python -m tests.eval.names`.

Prints one line of JSON: the recall on real stories with names injected into them
(seeded, so every run injects the same), how many names were injected, the share of the
untouched real stories with at least one name mark, name marks per story, and the time
per story (p50, p95) of the whole `find_personal_data`. With `--sample N` it then prints N
marked snippets from the untouched stories, for a person to judge by hand.

The real stories (../shared/data/care-opinion-stories.csv, column `feedback`; licence and
care in its README) are read here at run time only: no story text is kept anywhere.
`tests/core/test_names_recall.py` asserts the recall on the same injected set.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

from tests.shared_data import shared_data_file

SEED = 2026
INJECTED_STORIES = 1200  # one injected sentence each

# Names of people in the UK, by the traditions they come from (made up for the test;
# none is taken from the data set).
FIRST_NAMES = {
    "english": "Oliver Amelia Emily Harry Charlotte Sophie James Jessica Thomas Hannah Daniel "
    "Lucy Matthew Rebecca Samuel Laura Joseph Eleanor Christopher Helen Stephen Karen Michael "
    "Susan Paul Claire Andrew Deborah Mary-Jane",
    "welsh": "Gareth Bethan Rhys Cerys Dafydd Sian Iwan Ffion Owain Catrin Gwyn Nia Aled Eleri "
    "Huw Megan Geraint Angharad",
    "scottish": "Eilidh Iain Ailsa Callum Fiona Hamish Morag Alasdair Kirsty Euan Catriona "
    "Fraser Isla Lachlan Murdo",
    "irish": "Siobhan Niamh Aoife Saoirse Ciaran Oisin Sean Padraig Orla Declan Roisin Eoin "
    "Grainne Colm Siobhán Seán",
    "south_asian": "Priya Rajesh Sunita Harpreet Gurpreet Aisha Mohammed Imran Fatima Nadia "
    "Anil Deepa Sanjay Ayesha Bilal Farah Arjun Kavita Zainab Tariq",
    "african": "Oluwaseun Chidi Ngozi Adaeze Kwame Abena Tunde Folake Emeka Chiamaka Kofi Ama "
    "Yusuf Amara Tendai Olu Nkechi Kemi",
    "polish": "Lukasz Agnieszka Krzysztof Wojciech Tomasz Zofia Katarzyna Piotr Magdalena "
    "Marek Joanna Pawel Ewa Łukasz Małgorzata",
    "chinese": "Wei Mei Jun Ying Hui Lei Hong Jing Ming Xiaoling Yan Fang",
}
SURNAMES = {
    "english": "Smith Taylor Brown Wilson Johnson Robinson Wright Thompson Walker White "
    "Hughes Green Hall Clarke Harrison Cooper Turner Parker Bennett Smith-Jones "
    "Ashworth-Clarke",
    "welsh": "Davies Evans Jones Williams Pritchard Griffiths Llewellyn Pugh Vaughan Bowen "
    "Rees Price",
    "scottish": "MacDonald Campbell McLeod Stewart Robertson MacKenzie Murray Ross Sinclair "
    "McGregor",
    "irish": "O'Brien O'Connor Murphy Kelly O'Sullivan Byrne Doyle McCarthy Gallagher "
    "O'Neill Kavanagh",
    "south_asian": "Patel Khan Singh Shah Ahmed Hussain Sharma Begum Chowdhury Kaur Iqbal "
    "Gupta Rahman Mistry D'Souza Harris-Patel",
    "african": "Okafor Adeyemi Mensah Okonkwo Asante Osei Adebayo Nwosu Boateng Eze Owusu "
    "Mwangi Abubakar",
    "polish": "Kowalski Nowak Wisniewski Wojcik Kaminski Lewandowski Zielinska Szymanski "
    "Kowalczyk Mazur",
    "chinese": "Zhang Wang Chen Liu Huang Zhao Lin Yang Zhou",
}
RELATIONS = "father dad mum mother husband wife partner son daughter brother sister nan grandad "
RELATIONS += "grandmother uncle aunt friend"

# Forms: how the name is written. "{t}" a staff or personal title, "{f}" a first name,
# "{l}" a surname, "{r}" a relation; the name itself is what sits in [ ].
FORMS = [
    "Dr [{l}]",
    "Dr. [{l}]",
    "Mrs [{l}]",
    "Mr [{l}]",
    "Ms [{l}]",
    "Miss [{l}]",
    "Professor [{l}]",
    "Sister [{l}]",
    "Nurse [{f}]",
    "Sister [{f}]",
    "Dr [{f}]",
    "Matron [{f}]",
    "Sister [{f} {l}]",
    "Dr [{f} {l}]",
    "Staff Nurse [{f} {l}]",
    "Mrs [{f} {l}]",
    "[{f} {l}]",
    "[{f} {l}]",
    "my {r} [{f}]",
    "my {r}, [{f} {l}],",
    "my {r} [{f} {l}]",
    "our {r} [{f}]",
    "a nurse called [{f}]",
    "a doctor named [{f} {l}]",
    "the midwife, [{f}],",
    "[{f}], the physio,",
    "[{f}]",
]
SENTENCES = [
    "{N} was so kind to us.",
    "We were looked after by {N} on the night shift.",
    "I want to thank {N} for everything.",
    "Special thanks to {N}, who explained everything.",
    "{N} explained the results clearly.",
    "Later {N} came back to check on me.",
    "When {N} arrived, things improved.",
    "I was seen by {N} within an hour.",
    "Nobody listened until {N} stepped in.",
    "The care given by {N} was outstanding.",
    "I asked {N} about the medication.",
    "Please pass my thanks on to {N}.",
    "{N} sat with me when I was frightened.",
    "It was {N} who finally listened.",
]


@dataclass(frozen=True)
class Injected:
    text: str
    spans: list[tuple[int, int]]  # where the injected names are


def stories() -> list[str] | None:
    """The real stories' text, or None where the data set is absent."""
    path = shared_data_file()
    if path is None:
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["feedback"] for row in csv.DictReader(handle) if row["feedback"].strip()]


def _pick(rng: random.Random, table: dict[str, str]) -> str:
    return rng.choice(rng.choice(list(table.values())).split())


def _sentence(rng: random.Random) -> tuple[str, tuple[int, int]]:
    """One sentence with one name in it, and where the name is."""
    form = rng.choice(FORMS)
    filled = form.format(
        f=_pick(rng, FIRST_NAMES), l=_pick(rng, SURNAMES), r=rng.choice(RELATIONS.split())
    )
    template = rng.choice(SENTENCES)
    if template.startswith("{N}"):
        filled = filled[0].upper() + filled[1:] if filled[0] != "[" else filled
    if filled.endswith(",") and template[template.index("{N}") + 3] in ",.":
        filled = filled[:-1]
    sentence = template.replace("{N}", filled)
    start = sentence.index("[")
    end = sentence.index("]") - 1
    return sentence.replace("[", "").replace("]", ""), (start, end)


def _breaks(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"[.!?]\s+", text)]


def injected(texts: list[str], count: int = INJECTED_STORIES, seed: int = SEED) -> list[Injected]:
    """`count` real stories, each with one sentence naming someone put in at a sentence
    break: the same stories and names on every run."""
    rng = random.Random(seed)
    made = []
    for story in rng.sample(texts, min(count, len(texts))):
        sentence, (start, end) = _sentence(rng)
        at = rng.choice(_breaks(story))
        before, after = story[:at], story[at:]
        if before and not before.endswith((" ", "\n")):
            before += " "
        text = f"{before}{sentence} {after}"
        made.append(Injected(text, [(len(before) + start, len(before) + end)]))
    return made


def name_marks(text: str) -> list[tuple[int, int]]:
    from apps.core.pii import find_personal_data

    return [(m.start, m.end) for m in find_personal_data(text) if m.is_name]


def recall(cases: list[Injected]) -> tuple[float, int, list[str]]:
    """The share of injected names that a name mark covers whole, their number, and the
    names missed."""
    hits, total, missed = 0, 0, []
    for case in cases:
        marks = name_marks(case.text)
        for start, end in case.spans:
            total += 1
            if any(s <= start and end <= e for s, e in marks):
                hits += 1
            else:
                missed.append(case.text[max(0, start - 40) : end + 20])
    return (hits / total if total else 0.0), total, missed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(texts: list[str]) -> dict[str, float | int]:
    from apps.core.names import first_names
    from apps.core.pii import find_personal_data

    first_names()  # the list is read once per process; not part of a story's time
    cases = injected(texts)
    found, total, _ = recall(cases)
    times, marked, marks = [], 0, 0
    for text in texts:
        began = time.perf_counter()
        names = [m for m in find_personal_data(text) if m.is_name]
        times.append((time.perf_counter() - began) * 1000)
        marked += bool(names)
        marks += len(names)
    return {
        "injected_recall": round(found, 4),
        "injected_names": total,
        "real_stories": len(texts),
        "real_share_with_name_mark": round(marked / len(texts), 4),
        "real_name_marks_per_story": round(marks / len(texts), 3),
        "ms_per_story_p50": round(statistics.median(times), 2),
        "ms_per_story_p95": round(_percentile(times, 0.95), 2),
    }


def samples(texts: list[str], count: int, seed: int = SEED) -> Iterator[str]:
    """`count` name marks from the untouched stories, each with a few words around it."""
    from apps.core.pii import find_personal_data

    rng = random.Random(seed)
    found = []
    for text in texts:
        for mark in find_personal_data(text):
            if mark.is_name:
                snippet = text[max(0, mark.start - 30) : mark.end + 30].replace("\n", " ")
                found.append(f"[{mark.text}] ({mark.who}; {mark.why}) … {snippet} …")
    yield from rng.sample(found, min(count, len(found)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="print N marked snippets")
    parser.add_argument("--missed", type=int, default=0, help="print N injected names missed")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    texts = stories()
    if texts is None:
        print(json.dumps({"skipped": "Shared data absent (CAREVOICE_SHARED_DATA, ../shared/data)"}))
        return 0
    print(json.dumps(figures(texts)))
    for line in samples(texts, args.sample):
        print(line)
    if args.missed:
        for line in recall(injected(texts))[2][: args.missed]:
            print("MISSED:", line.replace("\n", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
