"""The open data: `manage.py open_data_dump` writes every published story and its
published responses; /open-data/ describes them and serves the latest files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from apps.insights import open_data
from apps.insights.exports import PUBLIC_COLUMNS, RESPONSE_COLUMNS
from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus
from apps.stories.models import StoryStatus
from config.celery import app as celery_app
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings: Any, tmp_path: Path) -> Path:
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    return settings.OPEN_DATA_DIR


@pytest.fixture
def told(org: Organisation) -> dict[str, Any]:
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    shown = StoryFactory(
        services=[service],
        title="+SUM(A1:A9)",
        criticality=5,
        moderator_note="Private note for staff",
    )
    quiet = StoryFactory(services=[service], title="A quiet night")
    hidden = [
        StoryFactory(services=[service], status=status, published_at=None, title=f"Hidden {s}")
        for s, status in enumerate((StoryStatus.AWAITING_MODERATION, StoryStatus.WITHDRAWN))
    ]
    hidden.append(
        StoryFactory(
            services=[service],
            status=StoryStatus.REJECTED,
            rejection_reason="duplicate",
            published_at=None,
            title="Hidden 2",
        )
    )

    def respond(story: Any, body: str, status: str = ResponseStatus.PUBLISHED) -> Response:
        return Response.objects.create(
            story=story,
            organisation=org,
            author_name="Sam Patel",
            author_job_title="Ward manager",
            body=body,
            body_html=f"<p>{body}</p>",
            status=status,
            published_at=timezone.now() if status == ResponseStatus.PUBLISHED else None,
        )

    published = [respond(shown, "=We are sorry."), respond(shown, "We changed the rota.")]
    respond(shown, "Held for moderation", ResponseStatus.AWAITING_MODERATION)
    respond(shown, "Taken back", ResponseStatus.WITHDRAWN)
    respond(hidden[1], "An answer to a withdrawn story")
    return {"stories": [shown, quiet], "responses": published, "hidden": hidden}


def read(folder: Path, name: str) -> str:
    return (folder / "current" / name).read_text(encoding="utf-8")


def test_the_dump_holds_exactly_the_published_stories_and_responses(
    folder: Path, told: dict[str, Any]
) -> None:
    out = io.StringIO()
    call_command("open_data_dump", stdout=out)
    assert "2 of 2 stories" in out.getvalue()
    assert "Wrote 2 stories and 2 responses" in out.getvalue()
    stories = list(csv.DictReader(io.StringIO(read(folder, "stories.csv"))))
    assert sorted(int(r["id"]) for r in stories) == sorted(s.pk for s in told["stories"])
    assert list(stories[0]) == [c.header for c in PUBLIC_COLUMNS]
    responses = list(csv.DictReader(io.StringIO(read(folder, "responses.csv"))))
    assert sorted(int(r["id"]) for r in responses) == sorted(r.pk for r in told["responses"])
    assert list(responses[0]) == [c.header for c in RESPONSE_COLUMNS]
    # Formula-safe CSV.
    shown = next(r for r in stories if int(r["id"]) == told["stories"][0].pk)
    assert shown["title"] == "'+SUM(A1:A9)"
    assert shown["responses"] == "2"
    assert "'=We are sorry." in {r["response"] for r in responses}
    # JSON parses and holds the same, with the responses nested and the text as it is.
    items = json.loads(read(folder, "stories.json"))
    assert sorted(i["id"] for i in items) == sorted(s.pk for s in told["stories"])
    nested = next(i for i in items if i["id"] == told["stories"][0].pk)
    assert nested["title"] == "+SUM(A1:A9)"
    assert [r["response"] for r in nested["responses"]] == [
        "=We are sorry.",
        "We changed the rota.",
    ]
    assert set(nested) == {c.key for c in PUBLIC_COLUMNS} | {"responses"}


def test_nothing_staff_only_is_in_the_dump(folder: Path, told: dict[str, Any]) -> None:
    call_command("open_data_dump", stdout=io.StringIO())
    everything = "".join(read(folder, name) for name in open_data.FILES)
    for secret in ("Private note", "@home.example", "Held for moderation", "Taken back", "Hidden"):
        assert secret not in everything
    headers = read(folder, "stories.csv").splitlines()[0]
    assert "criticality" not in headers
    assert "staff" not in headers


def test_the_readme_lists_every_column_and_the_licence(
    folder: Path, told: dict[str, Any], settings: Any
) -> None:
    call_command("open_data_dump", stdout=io.StringIO())
    readme = read(folder, "README.md")
    for column in [*PUBLIC_COLUMNS, *RESPONSE_COLUMNS]:
        assert f"`{column.header}` (`{column.key}`): {column.meaning}" in readme
    assert "Open Government Licence v3.0" in readme
    assert settings.OPEN_DATA_LICENCE_URL in readme
    settings.OPEN_DATA_LICENCE = "CC BY 4.0"
    call_command("open_data_dump", stdout=io.StringIO())
    assert "CC BY 4.0" in read(folder, "README.md")


def test_the_page_links_to_the_latest_files(folder: Path, told: dict[str, Any]) -> None:
    call_command("open_data_dump", stdout=io.StringIO())
    page = Client().get("/open-data/").content.decode()
    assert "2 stories and 2 responses" in page
    assert "Open Government Licence v3.0" in page
    for name in open_data.FILES:
        assert f'href="/open-data/{name}"' in page
        response = Client().get(f"/open-data/{name}")
        assert response.status_code == 200
        assert response["Content-Type"] == open_data.FILES[name]
        assert name in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == (folder / "current" / name).read_bytes()
    for column in PUBLIC_COLUMNS:
        assert f"<code>{column.header}</code>" in page


def test_a_missing_dump_says_so(folder: Path) -> None:
    page = Client().get("/open-data/")
    assert page.status_code == 200
    assert "has not been made yet" in page.content.decode()
    assert Client().get("/open-data/stories.csv").status_code == 404


@pytest.mark.parametrize("name", ["manifest.json", "..", "../../etc/passwd", "stories.xlsx"])
def test_only_the_dumps_own_files_are_served(folder: Path, told: dict[str, Any], name: str) -> None:
    call_command("open_data_dump", stdout=io.StringIO())
    assert Client().get(f"/open-data/{name}").status_code == 404


def test_a_new_dump_replaces_the_old_whole(folder: Path, told: dict[str, Any]) -> None:
    call_command("open_data_dump", stdout=io.StringIO())
    first = (folder / "current").resolve()
    StoryFactory(services=told["stories"][0].services.all(), title="A later story")
    call_command("open_data_dump", stdout=io.StringIO())
    second = (folder / "current").resolve()
    assert second != first
    assert not first.exists()  # the older dump is removed
    assert "A later story" in read(folder, "stories.csv")
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_a_failed_dump_leaves_the_previous_one_and_exits_non_zero(
    folder: Path, told: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("open_data_dump", stdout=io.StringIO())
    before = (folder / "current" / "stories.csv").read_bytes()

    def full_disk(*args: Any, **kwargs: Any) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(open_data, "readme_text", full_disk)
    with pytest.raises(CommandError, match="could not be written.*No space left on device"):
        call_command("open_data_dump", stdout=io.StringIO())
    assert (folder / "current" / "stories.csv").read_bytes() == before
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    response = Client().get("/open-data/stories.csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == before


def test_a_folder_that_cannot_be_made_is_a_clear_error(settings: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.OPEN_DATA_DIR = blocker / "open-data"
    with pytest.raises(CommandError, match="OPEN_DATA_DIR"):
        call_command("open_data_dump", stdout=io.StringIO())


def test_the_dump_runs_every_night() -> None:
    entry = celery_app.conf.beat_schedule["open-data-dump"]
    assert entry["task"] == "insights.open_data_dump"
    assert celery_app.tasks["insights.open_data_dump"].name == "insights.open_data_dump"
