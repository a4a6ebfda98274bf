"""The embeddable widget: public stories and responses for a node, framable on its own
path alone, cookie-free, briefly cacheable."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.responses.models import ResponseStatus
from tests.querybudget import QueryBudget

from .data import (
    ago,
    assert_nothing_private,
    many,
    respond,
    signed_in,
    story,
    tree,
    with_private_data,
)

pytestmark = pytest.mark.django_db


def widget_url(node: Organisation, **params: str) -> str:
    url = reverse("feeds:widget", kwargs={"slug": node.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def get(url: str, client: Client | None = None, status: int = 200) -> Any:
    response = (client or Client()).get(url)
    assert response.status_code == status, response.status_code
    return response


def story_titles(body: str) -> list[str]:
    return re.findall(r'<h2><a href="/stories/\d+/"[^>]*><span[^>]*>([^<]+)</span>', body)


def assert_framable_anywhere(response: Any) -> None:
    assert "X-Frame-Options" not in response.headers
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "'none'" not in csp.split("frame-ancestors")[1].split(";")[0]
    # The rest of the policy still holds.
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp


def test_the_widget_shows_the_subtree_newest_stories_and_their_newest_response(
    org: Organisation, other_org: Organisation
) -> None:
    nodes = tree(org)
    ward_story = story([nodes["ward"]], title="Ward story", days_ago=2)
    respond(ward_story, nodes["ward"], "An older answer.", when=ago(days=1, hours=12))
    respond(ward_story, nodes["ward"], "The newest answer.", when=ago(days=1), name="Ann Ash")
    respond(ward_story, nodes["ward"], "Held back.", status=ResponseStatus.AWAITING_MODERATION)
    story([nodes["outpatients"]], title="Outpatients story", days_ago=1)
    story([other_org], title="Elsewhere story", days_ago=1)

    body = get(widget_url(org)).content.decode()

    assert "<h1>" in body
    assert "Stories about Northfield" in body
    assert story_titles(body) == ["Outpatients story", "Ward story"]
    assert "The newest answer." in body
    assert "<strong>Ann Ash</strong>, Ward manager, Northfield Ward 7, responded" in body
    assert "An older answer." not in body
    assert "Held back." not in body
    assert "No response yet." in body  # the outpatients story
    # Every link goes back to this site, in a new tab, without a handle on the frame.
    links = re.findall(r"<a ([^>]*)>", body)
    assert links
    for attributes in links:
        assert 'target="_blank"' in attributes
        assert 'rel="noopener"' in attributes
    assert f'href="{ward_story.get_absolute_url()}"' in body
    assert f'href="/tell/?service={org.slug}"' in body
    assert settings.SITE_NAME in body
    # Its own small stylesheet, no script.
    assert "css/widget.css" in body
    assert "<script" not in body
    assert "csrf" not in body.lower()


def test_the_widget_shows_a_limited_number_of_stories(org: Organisation) -> None:
    nodes = tree(org)
    for days in range(12):
        story([nodes["ward"]], title=f"Told {days} days ago", days_ago=days + 1)
    assert story_titles(get(widget_url(org)).content.decode()) == [
        f"Told {d} days ago" for d in range(settings.WIDGET_STORIES)
    ]
    assert story_titles(get(widget_url(org, limit="2")).content.decode()) == [
        "Told 0 days ago",
        "Told 1 days ago",
    ]
    assert len(story_titles(get(widget_url(org, limit="10")).content.decode())) == 10


@pytest.mark.parametrize("value", ["0", "11", "-1", "two", "2.5", "9" * 30])
def test_a_bad_limit_is_explained_in_the_frame(org: Organisation, value: str) -> None:
    response = get(widget_url(org, limit=value), status=400)
    body = response.content.decode()
    assert "This widget cannot be shown" in body
    assert "limit must be a whole number of stories from 1 to 10" in body
    assert_framable_anywhere(response)
    assert not response.cookies


def test_an_unknown_organisation_is_a_404_in_the_frame(db: None) -> None:
    response = get(widget_url(Organisation(slug="no-such-place")), status=404)
    assert "There is no organisation at this address" in response.content.decode()
    assert_framable_anywhere(response)
    assert not response.cookies


def test_the_widget_is_the_only_page_that_may_be_framed(org: Organisation) -> None:
    nodes = tree(org)
    story([nodes["ward"]])
    assert_framable_anywhere(get(widget_url(org)))
    for url in (
        org.get_absolute_url(),
        "/stories/",
        reverse("feeds:organisation", kwargs={"slug": org.slug}),
    ):
        response = get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


@pytest.mark.parametrize("member", ["anonymous", "responder", "moderator"])
def test_the_widget_sets_no_cookie_for_anyone(org: Organisation, member: str, request: Any) -> None:
    nodes = tree(org)
    story([nodes["ward"]])
    user: User | None = request.getfixturevalue(member)
    client = signed_in(user) if user else Client()
    if user:
        # Long idle: any staff page would sign them out (and write the session).
        session = client.session
        session["last_seen"] = 0
        session.save()
    for _ in range(2):
        response = get(widget_url(org), client)
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.get("Vary", "")
    if user:
        # An ordinary page still keeps the idle time-out: it signs the idle member out.
        assert client.get("/stories/").status_code == 302


def test_a_signed_in_visitor_still_gets_a_session_cookie_on_ordinary_pages(
    org: Organisation, responder: User
) -> None:
    client = signed_in(responder)
    response = get("/stories/", client)
    assert settings.SESSION_COOKIE_NAME in response.cookies  # the idle stamp was written


def test_the_widget_may_be_cached_by_anyone_for_a_few_minutes(org: Organisation) -> None:
    response = get(widget_url(org))
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache == {
        "public",
        f"max-age={settings.FEEDS_CACHE_SECONDS}",
        f"s-maxage={settings.FEEDS_CACHE_SECONDS}",
    }


def test_the_widget_shows_nothing_staff_only(org: Organisation, moderator: User) -> None:
    nodes = tree(org)
    with_private_data(org, nodes["outpatients"])
    for client in (Client(), signed_in(moderator)):
        body = get(widget_url(org, limit="10"), client).content.decode()
        assert story_titles(body) == ["Seen quickly in outpatients"]
        assert "We are glad it went well." in body
        assert_nothing_private(body)


def test_the_widget_escapes_user_text(org: Organisation) -> None:
    nodes = tree(org)
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    told = story(
        [nodes["ward"]], title=f"T {hostile}", body=f"B {hostile} words", pseudonym="P <i>"
    )
    respond(told, nodes["ward"], f"R {hostile}", name="N <u>", job_title="J <em>")
    body = get(widget_url(org)).content.decode()
    assert "<script" not in body
    for tag in ("<b>", "<i>", "<u>", "<em>"):
        assert tag not in body
    assert "T &lt;script&gt;" in body
    assert "R &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in body


def test_a_closed_organisation_keeps_its_widget_without_the_tell_link(org: Organisation) -> None:
    nodes = tree(org)
    story([nodes["ward"]], title="Before it closed")
    Organisation.objects.filter(pk=nodes["ward"].pk).update(is_active=False)
    body = get(widget_url(nodes["ward"])).content.decode()
    assert story_titles(body) == ["Before it closed"]
    assert "/tell/" not in body


def test_an_organisation_without_stories_says_so(org: Organisation) -> None:
    body = get(widget_url(org)).content.decode()
    assert "No story about Northfield has been published yet." in body


def test_the_widget_refuses_other_methods(org: Organisation) -> None:
    assert Client().post(widget_url(org)).status_code == 405


def test_the_widget_keeps_its_query_budget(org: Organisation) -> None:
    nodes = tree(org)
    # The organisation, the stories, the newest response of each.
    budget = QueryBudget("widget", limit=3)
    many(nodes["ward"], 10)
    budget.measure(10, lambda: get(widget_url(org, limit="10")))
    many(nodes["ward"], 490)
    budget.measure(500, lambda: get(widget_url(org, limit="10")))
    budget.assert_flat()


def test_the_organisation_page_offers_the_feeds_and_the_widget_code(org: Organisation) -> None:
    nodes = tree(org)
    body = get(nodes["site"].get_absolute_url()).content.decode()
    subtree = reverse("feeds:organisation", kwargs={"slug": nodes["site"].slug})
    exact = reverse("feeds:service", kwargs={"slug": nodes["site"].slug})
    head = body.split("</head>")[0]
    assert (
        f'<link rel="alternate" type="application/atom+xml" href="{subtree}" '
        'title="Stories about Northfield Hospital">' in head
    )
    assert f'href="{exact}"' in head
    assert "Follow Northfield Hospital" in body
    widget = settings.SITE_URL + reverse("feeds:widget", kwargs={"slug": nodes["site"].slug})
    assert (
        f"&lt;iframe src=&quot;{widget}&quot; "
        "title=&quot;Stories about Northfield Hospital on CareVoice&quot;" in body
    )
    # A service without parts has one feed: its subtree is itself.
    ward = get(nodes["ward"].get_absolute_url()).content.decode()
    assert reverse("feeds:organisation", kwargs={"slug": nodes["ward"].slug}) in ward
    assert reverse("feeds:service", kwargs={"slug": nodes["ward"].slug}) not in ward
