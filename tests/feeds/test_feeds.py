"""Atom feeds: per organisation subtree, per node alone and per tag; public data only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.responses.models import AuthorReplyStatus, ResponseStatus
from apps.stories.models import Tag
from tests.querybudget import QueryBudget

from .data import (
    ATOM,
    ago,
    assert_nothing_private,
    author_reply,
    entries,
    many,
    parse,
    respond,
    signed_in,
    story,
    tag,
    text,
    tree,
    with_private_data,
)

pytestmark = pytest.mark.django_db


def subtree_feed(node: Organisation) -> str:
    return reverse("feeds:organisation", kwargs={"slug": node.slug})


def service_feed(node: Organisation) -> str:
    return reverse("feeds:service", kwargs={"slug": node.slug})


def tag_feed(slug: str) -> str:
    return reverse("feeds:tag", kwargs={"slug": slug})


def fetch(url: str, client: Client | None = None) -> Any:
    response = (client or Client()).get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return response


def titles(url: str) -> list[str]:
    return [text(entry, "title") for entry in entries(parse(fetch(url).content))]


def test_a_subtree_feed_is_atom_with_the_newest_stories_first(org: Organisation) -> None:
    nodes = tree(org)
    old = story([nodes["ward"]], title="Old story", days_ago=9)
    new = story([nodes["outpatients"]], title="New story", days_ago=1)
    middle = story([nodes["site"]], title="Middle story", days_ago=5)

    root = parse(fetch(subtree_feed(org)).content)

    assert text(root, "title") == f"Stories about Northfield – {settings.SITE_NAME}"
    assert text(root, "id") == settings.SITE_URL + subtree_feed(org)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "self": settings.SITE_URL + subtree_feed(org),
        "alternate": settings.SITE_URL + org.get_absolute_url(),
    }
    assert [text(entry, "title") for entry in entries(root)] == [
        "New story",
        "Middle story",
        "Old story",
    ]
    first = entries(root)[0]
    permalink = settings.SITE_URL + new.get_absolute_url()
    assert text(first, "id") == permalink
    assert first.find(f"{ATOM}link").get("href") == permalink  # type: ignore[union-attr]
    assert dt.datetime.fromisoformat(text(first, "published")) == new.published_at
    assert dt.datetime.fromisoformat(text(first, "updated")) == new.published_at
    assert first.find(f"{ATOM}author/{ATOM}name").text == "Grateful daughter"  # type: ignore[union-attr]
    assert "explained everything to my mother" in text(first, "summary")
    assert first.find(f"{ATOM}content").get("type") == "html"  # type: ignore[union-attr]
    assert "Northfield Outpatients" in text(first, "content")
    assert {old.pk, middle.pk, new.pk}  # every one listed above


def test_feeds_list_a_bounded_number_of_stories(org: Organisation, settings: Any) -> None:
    settings.FEED_ENTRIES = 3
    nodes = tree(org)
    for days in range(6):
        story([nodes["ward"]], title=f"Told {days} days ago", days_ago=days + 1)
    assert titles(subtree_feed(org)) == [f"Told {d} days ago" for d in range(3)]


def test_subtree_service_and_tag_feeds_choose_their_stories(
    org: Organisation, other_org: Organisation
) -> None:
    nodes = tree(org)
    on_ward = story([nodes["ward"]], title="On the ward")
    at_site = story([nodes["site"]], title="At the site itself")
    both = story([nodes["site"], nodes["outpatients"]], title="Site and outpatients")
    elsewhere = story([other_org], title="Somewhere else")
    tag(on_ward, "staff-manner-and-attitude")
    tag(elsewhere, "staff-manner-and-attitude", "improve")
    tag(at_site, "felt-grateful", "positive")

    assert set(titles(subtree_feed(org))) == {"On the ward", "At the site itself", both.title}
    assert set(titles(subtree_feed(nodes["site"]))) == {
        "On the ward",
        "At the site itself",
        both.title,
    }
    assert set(titles(service_feed(nodes["site"]))) == {"At the site itself", both.title}
    assert titles(service_feed(nodes["ward"])) == ["On the ward"]
    assert titles(service_feed(org)) == []
    assert set(titles(tag_feed("staff-manner-and-attitude"))) == {"On the ward", "Somewhere else"}
    assert titles(tag_feed("felt-grateful")) == ["At the site itself"]
    assert titles(tag_feed("felt-angry")) == []


def test_feed_titles_name_what_they_follow(org: Organisation) -> None:
    nodes = tree(org)
    site = nodes["site"]
    assert text(parse(fetch(service_feed(site)).content), "title").startswith(
        "Stories naming Northfield Hospital"
    )
    assert text(parse(fetch(tag_feed("felt-let-down")).content), "title").startswith(
        "Stories where people felt let down"
    )
    aspect = parse(fetch(tag_feed("food-and-drink")).content)
    assert text(aspect, "title").startswith("Stories about food and drink")
    alternate = aspect.find(f"{ATOM}link[@rel='alternate']")
    assert alternate is not None
    assert alternate.get("href") == settings.SITE_URL + "/stories/?tag=food-and-drink"
    # Two feeds of one page still have ids of their own.
    assert text(parse(fetch(service_feed(site)).content), "id") != text(
        parse(fetch(subtree_feed(site)).content), "id"
    )


def test_entries_carry_the_published_conversation_and_its_latest_moment(
    org: Organisation,
) -> None:
    nodes = tree(org)
    told = story([nodes["ward"]], title="Long wait", days_ago=10)
    tag(told, "timeliness-of-care", "improve")
    respond(
        told,
        nodes["ward"],
        "We have **changed** the rota.",
        when=ago(days=8),
        name="Ruth Reed",
        job_title="Ward manager",
    )
    author_reply(
        told, "Thank you for listening.", status=AuthorReplyStatus.PUBLISHED, when=ago(days=6)
    )
    newest = respond(
        told, nodes["ward"], "A second answer.", when=ago(days=3), name="Sam Stone", job_title=""
    )
    respond(
        told, nodes["ward"], "Waiting for a moderator.", status=ResponseStatus.AWAITING_MODERATION
    )

    entry = entries(parse(fetch(subtree_feed(org)).content))[0]
    content = text(entry, "content")
    assert "Ruth Reed, Ward manager, Northfield Ward 7" in content
    assert "<strong>changed</strong>" in content  # the response's cleaned HTML
    assert "Sam Stone, Northfield Ward 7" in content
    assert "Grateful daughter replied" in content
    assert "Thank you for listening." in content
    assert content.index("Ruth Reed") < content.index("Thank you for") < content.index("Sam Stone")
    assert "Waiting for a moderator" not in content
    assert "What could be improved: Timeliness of care." in content
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["timeliness of care"]
    # Updated: the newest public activity (the pending response does not count).
    assert dt.datetime.fromisoformat(text(entry, "updated")) == newest.published_at
    assert dt.datetime.fromisoformat(text(entry, "published")) == told.published_at

    # An edit of a published response is activity too.
    edited = timezone.now() - dt.timedelta(hours=1)
    type(newest).objects.filter(pk=newest.pk).update(edited_at=edited)
    entry = entries(parse(fetch(subtree_feed(org)).content))[0]
    assert dt.datetime.fromisoformat(text(entry, "updated")) == edited
    assert "(edited)" in text(entry, "content")


def test_user_text_is_escaped(org: Organisation) -> None:
    nodes = tree(org)
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    told = story(
        [nodes["ward"]],
        title=f"Title {hostile}",
        body=f"Body {hostile} and enough words to be a story.",
        pseudonym="Mum <i>of</i> two",
    )
    respond(told, nodes["ward"], f"Answer {hostile}", name="Name <u>x</u>", job_title="Job & <em>")
    author_reply(told, f"Reply {hostile}", status=AuthorReplyStatus.PUBLISHED)

    response = fetch(subtree_feed(org))
    raw = response.content.decode()
    assert "<script" not in raw  # every angle bracket of user text is escaped in the XML
    entry = entries(parse(response.content))[0]
    # Titles and authors are text: escaped once by the XML, so a reader shows them as typed.
    assert text(entry, "title") == f"Title {hostile}"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Mum <i>of</i> two"  # type: ignore[union-attr]
    assert text(entry, "summary").startswith(f"Body {hostile}")
    # The content is HTML in which user text was escaped once more.
    content = text(entry, "content")
    assert "<script" not in content
    assert escape(f"Body {hostile}") in content
    assert escape(f"Reply {hostile}") in content
    assert "Name &lt;u&gt;x&lt;/u&gt;, Job &amp; &lt;em&gt;" in content
    assert "Answer" in content
    assert "<b>" not in content


def test_nothing_staff_only_or_unpublished_reaches_a_feed(
    org: Organisation, other_org: Organisation
) -> None:
    nodes = tree(org)
    told = with_private_data(org, nodes["outpatients"])
    tag(told, "staff-manner-and-attitude")
    urls = [
        subtree_feed(org),
        subtree_feed(nodes["outpatients"]),
        service_feed(nodes["outpatients"]),
        tag_feed("staff-manner-and-attitude"),
    ]
    for url in urls:
        body = fetch(url).content.decode()
        assert "Seen quickly in outpatients" in body
        assert "We are glad it went well." in body
        assert_nothing_private(body)
        assert len(entries(parse(body.encode()))) == 1


@pytest.mark.parametrize("member", ["reader", "moderator", "platform_admin"])
def test_staff_get_the_same_public_feed(org: Organisation, member: str, request: Any) -> None:
    nodes = tree(org)
    with_private_data(org, nodes["outpatients"])
    user: User = request.getfixturevalue(member)
    body = fetch(subtree_feed(org), signed_in(user)).content.decode()
    assert_nothing_private(body)


def test_unknown_organisations_and_tags_are_404(db: None) -> None:
    for url in (
        subtree_feed(Organisation(slug="no-such-place")),
        service_feed(Organisation(slug="no-such-place")),
        tag_feed("no-such-tag"),
    ):
        assert Client().get(url).status_code == 404


def test_a_closed_organisation_keeps_its_feed(org: Organisation) -> None:
    nodes = tree(org)
    story([nodes["ward"]], title="Before it closed")
    Organisation.objects.filter(pk=nodes["ward"].pk).update(
        is_active=False, closed_on=timezone.localdate()
    )
    assert titles(subtree_feed(nodes["ward"])) == ["Before it closed"]


def test_feeds_are_publicly_cacheable_and_set_no_cookie(org: Organisation, responder: User) -> None:
    nodes = tree(org)
    story([nodes["ward"]])
    client = signed_in(responder)
    session = client.session
    session["last_seen"] = 0  # long idle: a staff page would sign them out
    session.save()
    for who in (Client(), client):
        response = fetch(subtree_feed(org), who)
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.get("Vary", "")
        cache = {part.strip() for part in response["Cache-Control"].split(",")}
        assert cache == {
            "public",
            f"max-age={settings.FEEDS_CACHE_SECONDS}",
            f"s-maxage={settings.FEEDS_CACHE_SECONDS}",
        }
        assert response["Last-Modified"]


def test_feeds_refuse_other_methods(org: Organisation) -> None:
    assert Client().post(subtree_feed(org)).status_code == 405


def test_feeds_keep_their_query_budgets(org: Organisation) -> None:
    nodes = tree(org)
    Tag.objects.get(slug="discharge")
    feeds = {
        # The organisation, the stories, their services, tags, responses, replies.
        "subtree feed": (subtree_feed(org), 6),
        "service feed": (service_feed(nodes["ward"]), 6),
        # The tag instead of the organisation.
        "tag feed": (tag_feed("discharge"), 6),
    }
    budgets = {name: QueryBudget(name, limit=limit) for name, (_, limit) in feeds.items()}
    many(nodes["ward"], 10, tagged="discharge")
    for name, (url, _) in feeds.items():
        budgets[name].measure(10, lambda url=url: fetch(url))
    many(nodes["ward"], 490, tagged="discharge")
    for name, (url, _) in feeds.items():
        budgets[name].measure(500, lambda url=url: fetch(url))
        assert len(entries(parse(fetch(url).content))) == settings.FEED_ENTRIES
    for budget in budgets.values():
        budget.assert_flat()


def test_control_characters_already_stored_do_not_break_a_feed(org: Organisation) -> None:
    """Text stored before input was cleaned (or imported) may hold characters XML cannot
    carry; the feed drops them instead of failing for everyone."""
    nodes = tree(org)
    told = story(
        [nodes["ward"]],
        title="Vertical\x0btab",
        body="An escape \x1b[31m and a bell\x07 in the story, with enough words.",
        pseudonym="Form\x0cfeed",
    )
    respond(told, nodes["ward"], "Answer with \x1b escape", name="Ruth\x0b Reed")
    response = fetch(subtree_feed(org))
    assert response.status_code == 200
    entry = entries(parse(response.content))[0]
    assert text(entry, "title") == "Verticaltab"
    assert text(entry, "summary").startswith("An escape [31m and a bell in the story")
    assert "Answer with  escape" in text(entry, "content")
