"""The text each page shows until a platform admin saves their own.

Written in the same simple formatting admins use (paragraphs, `##` headings, lists,
links), one translatable string a section, so translators see whole thoughts and the
admin's edit form starts from the text the public sees. The site's name and contact
address come from settings; the lists of reasons come from the stories taxonomy, so
the moderation policy names the same reasons moderators choose from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.stories.taxonomy import RejectionReason, ReportReason

from .models import PageSlug


def _context() -> dict[str, Any]:
    email = settings.CONTACT_EMAIL
    return {
        "site": settings.SITE_NAME,
        "email": email,
        "email_link": f"[{email}](mailto:{email})" if email else "",
        "tell": reverse("stories:tell"),
        "my_story": reverse("stories:resend_link"),
        "terms": reverse("pages:page", kwargs={"slug": PageSlug.TERMS}),
        "privacy": reverse("pages:page", kwargs={"slug": PageSlug.PRIVACY}),
        "moderation": reverse("pages:page", kwargs={"slug": PageSlug.MODERATION}),
        "contact": reverse("pages:page", kwargs={"slug": PageSlug.CONTACT}),
        "terms_easy": reverse("pages:page", kwargs={"slug": PageSlug.TERMS_EASY_READ}),
        "privacy_easy": reverse("pages:page", kwargs={"slug": PageSlug.PRIVACY_EASY_READ}),
        "tell_easy": reverse("stories:tell_easy"),
        "directory": reverse("organisations:directory"),
        "years": settings.STORY_MAX_AGE_YEARS,
        "days": settings.PURGE_AFTER_DAYS,
    }


def _join(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part)


def _write_to_us(c: dict[str, str]) -> str:
    if c["email"]:
        return _("Email us at %(email_link)s.") % c
    return _("Use the contact details on our [contact page](%(contact)s).") % c


def terms() -> str:
    c = _context()
    return _join(
        _(
            "These terms apply to everyone who uses %(site)s: people who tell a story of "
            "their care, people who read stories, and the staff who answer them. By telling "
            "a story you agree to them."
        )
        % c,
        "## " + _("What %(site)s is for") % c,
        _(
            "%(site)s is a place to tell the story of your care, or of someone you care for, "
            "and to hear back from the people who gave it. Stories are published without "
            "your name so that others can learn from them and services can improve."
        )
        % c,
        "## " + _("When you tell a story") % c,
        _(
            "- Tell it truthfully, about care you or someone close to you received in the "
            "last 3 years.\n"
            "- Do not name or identify other patients, or name staff in a critical way.\n"
            "- Do not write anything abusive, threatening or discriminatory, and do not "
            "advertise.\n"
            "- If your experience is the subject of a live complaint, investigation or legal "
            "case, tell the service directly: we cannot publish it here."
        ),
        _(
            "A moderator reads every story before it is published. They may remove details "
            "that could identify anyone; if an edit changes what you meant, they ask you "
            "first. Some stories are not published: our [moderation policy](%(moderation)s) "
            "says which, and why."
        )
        % c,
        "## " + _("Your story once it is published"),
        _(
            "Your story stays yours. You keep a private link to follow it, reply to the "
            "answers it gets, and withdraw it at any time; if you lose the link, we can "
            "[send it again](%(my_story)s). By telling a story you allow %(site)s to "
            "publish it, show it with the answers it receives, and share it through our "
            "feeds and open data, without your name or email address."
        )
        % c,
        "## " + _("Staff who answer"),
        _(
            "Staff answer in public under their own name and job title, on behalf of their "
            "service. Answers follow the same rules as stories, and moderators may check "
            "them."
        ),
        "## " + _("What this site is not"),
        _(
            "%(site)s is not a way to make a formal complaint and is not watched around the "
            "clock. If you need medical help now, call 999 in an emergency or 111 for urgent "
            "advice. To make a complaint, contact the service or its patient advice and "
            "liaison service (PALS) directly."
        )
        % c,
        "## " + _("Changes to these terms"),
        _(
            "If we change these terms we publish the new version here, with the date it "
            "changed. How we use personal information is explained in our "
            "[privacy notice](%(privacy)s)."
        )
        % c,
    )


def privacy() -> str:
    c = _context()
    return _join(
        _(
            "This notice explains what %(site)s keeps about you, why, for how long, who can "
            "see it, and the rights you have."
        )
        % c,
        "## " + _("What we keep"),
        _(
            "- **If you tell a story:** the story, the name you chose to show with it (not "
            "your real name), who you are to the patient (for example a carer), the month "
            "it happened and the services it is about, and your email address.\n"
            "- **If you read stories:** nothing that identifies you. To count readers and "
            "“I've experienced this” once per person, we keep a one-way code made from your "
            "internet address and browser, which cannot be turned back into either.\n"
            "- **If you work for a service:** your name, job title, work email address, the "
            "roles you hold and what you do on the site, so that every action can be "
            "traced."
        ),
        "## " + _("Who sees what"),
        _(
            "- **Everyone** sees a published story with the name you chose, who you are to "
            "the patient, and the answers from staff.\n"
            "- **Moderators** see your email address and the words you first sent, so they "
            "can check the story and contact you.\n"
            "- **Staff of the services** your story is about see how critical the story is, "
            "as a moderator judged it, so they can answer the most serious first. They never "
            "see your email address.\n"
            "- We never sell your information or use it for advertising."
        ),
        "## " + _("How we use your email address"),
        _(
            "Only to send you your private link, to tell you when your story is published or "
            "answered, and to ask you about a moderator's edit. You can change or erase it "
            "at any time from your private link; after that we cannot contact you."
        ),
        "## " + _("How long we keep it"),
        ngettext(
            "We only publish stories about care in the last year, so that services can "
            "still learn from them and act: the form asks when it happened, and refuses "
            "anything older.",
            "We only publish stories about care in the last %(years)s years, so that "
            "services can still learn from them and act: the form asks when it happened, "
            "and refuses anything older.",
            c["years"],
        )
        % c,
        ngettext(
            "A published story stays on %(site)s until you withdraw it. When a story is "
            "withdrawn or not published, it leaves the public site at once. %(days)s day "
            "later its words are deleted for good: the title, the story as you told it and "
            "as edited, the name you chose, your email address, your replies, the responses "
            "to it and the moderators' notes. We keep only what statistics need, with no "
            "words: the dates, the services, the tags, how critical it was and why it ended. "
            "The deletion runs every night, is recorded without any of the words, and "
            "cannot be undone.",
            "A published story stays on %(site)s until you withdraw it. When a story is "
            "withdrawn or not published, it leaves the public site at once. %(days)s days "
            "later its words are deleted for good: the title, the story as you told it and "
            "as edited, the name you chose, your email address, your replies, the responses "
            "to it and the moderators' notes. We keep only what statistics need, with no "
            "words: the dates, the services, the tags, how critical it was and why it ended. "
            "The deletion runs every night, is recorded without any of the words, and "
            "cannot be undone.",
            c["days"],
        )
        % c,
        ngettext(
            "Your email address is kept while your story is with us, unless you erase it "
            "sooner from your private link; your link keeps working after that. Copies of "
            "the emails we sent you, which hold your address, are deleted %(days)s day after "
            "they were sent.",
            "Your email address is kept while your story is with us, unless you erase it "
            "sooner from your private link; your link keeps working after that. Copies of "
            "the emails we sent you, which hold your address, are deleted %(days)s days "
            "after they were sent.",
            c["days"],
        )
        % c,
        _(
            "Staff accounts are kept while the person works with a service here. When they "
            "leave, the service's super-user deactivates the account: it can no longer sign "
            "in or receive email. Their public responses stay, under the name and job title "
            "they had when they wrote them, and the record of what they did is kept so that "
            "actions stay accountable."
        ),
        "## " + _("Our lawful basis"),
        _(
            "We use your information because you chose to share it and asked us to publish "
            "your story (your consent, which you can withdraw at any time by withdrawing "
            "your story), and for a task in the public interest: helping health and care "
            "services learn from the people who use them. Where a story includes details "
            "about health, we rely on your explicit consent."
        ),
        "## " + _("Your rights"),
        _(
            "You have the right to see the information we hold about you, to have it "
            "corrected or erased, to object to how we use it, and to withdraw your consent. "
            "From your private link you can yourself: download everything you wrote and "
            "received (your story as told and as published, the responses, your replies and "
            "the changes recorded), as a page to read or print and as a file; erase your "
            "email address; and withdraw your story. For anything else, contact us. If you "
            "are unhappy with how we have used your information, you can complain to the "
            "Information Commissioner's Office (ico.org.uk)."
        ),
        "## " + _("Contact"),
        _("To ask about your information or this notice:") + " " + _write_to_us(c),
    )


def moderation() -> str:
    c = _context()
    rejection = "\n".join(
        f"- {str(reason.label)[:1].upper()}{str(reason.label)[1:]}"
        for reason in RejectionReason
        if reason != RejectionReason.OTHER
    )
    reports = "\n".join(
        f"- {reason.label}" for reason in ReportReason if reason != ReportReason.OTHER
    )
    return _join(
        _(
            "Every story on %(site)s is read by a moderator before it is published. This "
            "page explains what they check, what they change, and what is not published."
        )
        % c,
        "## " + _("What moderators check"),
        _(
            "Moderators remove details that could identify anyone: names, addresses, phone "
            "numbers, dates of birth, NHS numbers, and the names of staff where the story "
            "criticises them. They do not correct spelling or change what a story says. If "
            "an edit would change its meaning, they ask the author to approve it first."
        ),
        "## " + _("Stories we do not publish"),
        _("A story is not published when it is:"),
        rejection,
        _(
            "The author is told the reason and may tell their story again, differently. "
            "If someone may be at risk, moderators pass it to the people who can help "
            "before anything is published."
        ),
        "## " + _("Reporting something published"),
        _(
            "Anyone can report a published story, a response from staff or an author's "
            "reply, with the link under it. A moderator looks at every report. The reasons "
            "people give are:"
        ),
        reports,
        _(
            "A moderator may edit a story (its author sees the change and may withdraw the "
            "story), hide what was reported, or leave it as it is, and records why. Hidden "
            "words are replaced by a notice that says they were hidden by the moderators "
            "and why; the story's author and the service's staff are told. A story is never "
            "hidden only because it is critical of a service: services answer criticism in "
            "public instead."
        ),
        "## " + _("Answers from staff"),
        _(
            "Staff answer under their own names. Their answers follow the same rules, and a "
            "moderator may withdraw an answer that breaks them, saying why."
        ),
    )


def accessibility() -> str:
    c = _context()
    return _join(
        _(
            "%(site)s is run for everyone who uses health and care services, so we want as "
            "many people as possible to be able to use it. This statement says how "
            "accessible it is and what to do if something does not work for you."
        )
        % c,
        "## " + _("How you should be able to use this site"),
        _(
            "- use it with a keyboard alone, a screen reader or voice control\n"
            "- zoom in up to 400% without text spilling off the screen\n"
            "- use it on a phone, a tablet or a computer\n"
            "- use every page, including telling a story, with JavaScript turned off"
        ),
        "## " + _("How accessible this site is"),
        _(
            "We aim to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at "
            "level AA. Every page is checked by automated tests on each change, and by "
            "people using a keyboard and a screen reader. Automated checks cannot find "
            "everything, so some problems may remain."
        ),
        "## " + _("How we tested this site"),
        _(
            "On every change, automated tests open every page a person can reach, as the "
            "public and as each kind of staff member, and check them with two tools, "
            "pa11y (HTML_CodeSniffer, WCAG 2 AA) and axe-core, including WCAG 2.2's rule on "
            "the size of buttons and links. Each page must have no errors. The tests also "
            "tell a story and answer one using the keyboard alone, checking at every step "
            "that what has focus can be seen, and tell a story in Welsh, in easy read and "
            "without JavaScript."
        ),
        _(
            "Signing in needs no puzzle: password managers may fill in the password and "
            "the code from the app. Nothing you have typed is asked for again, and the "
            "help links are in the same place on every page."
        ),
        "## " + _("Welsh, easy read and other languages"),
        _(
            "Every public page, the way to tell a story and every email about your story "
            "are in Welsh as well as English: use the Cymraeg button at the top of any "
            "page. There is an easy-read way to tell your story, one short question a "
            "page, with pictures. You may write your story in any language and say which "
            "one it is."
        ),
        "## " + _("If something does not work for you"),
        _(
            "Tell us what you were trying to do and what went wrong, and we will reply "
            "within 5 working days. If you need a story typed in for you, or read to you, "
            "say so and we will help."
        )
        + " "
        + _write_to_us(c),
        "## " + _("Enforcement"),
        _(
            "The Equality and Human Rights Commission enforces the accessibility "
            "regulations. If you are not happy with how we respond, contact the Equality "
            "Advisory and Support Service (EASS)."
        ),
    )


def contact() -> str:
    c = _context()
    email = (
        _("Email %(email_link)s. We reply within 5 working days.") % c
        if c["email"]
        else _(
            "The people who run %(site)s have not published an email address yet; the "
            "ways below reach a moderator."
        )
        % c
    )
    return _join(
        "## " + _("Write to the people who run %(site)s") % c,
        email,
        _(
            "Please do not send personal or medical details by email. We cannot give "
            "medical advice: if you need help now, call 999 in an emergency or 111 for "
            "urgent advice."
        ),
        "## " + _("About your own story"),
        _(
            "Use your private link to follow your story, reply to an answer, or withdraw it. "
            "If you have lost it, we can [send it again](%(my_story)s)."
        )
        % c,
        "## " + _("About something published"),
        _(
            "Use “Report this story to a moderator” under the story. A moderator looks at "
            "every report."
        ),
        "## " + _("About your care"),
        _(
            "To make a formal complaint or ask about your care, contact the service itself. "
            "You can find each service's page in our [directory](%(directory)s)."
        )
        % c,
    )


# The easy-read versions (docs/easy-read.md): short sentences, common words, one idea a
# sentence, for people with a learning disability and anyone who wants them. Each says
# where the full version is; they say nothing the full versions do not.
def terms_easy_read() -> str:
    c = _context()
    return _join(
        _(
            "These are the rules for using %(site)s. They are in easy read. "
            "You can also read the [full terms of use](%(terms)s)."
        )
        % c,
        "## " + _("What is %(site)s?") % c,
        _(
            "%(site)s is a website. You can tell us about care you had. Or about care that "
            "someone else had. Staff from the service can read your story. They can write "
            "back to you."
        )
        % c,
        "## " + _("When you tell us your story"),
        ngettext(
            "- Tell the truth.\n"
            "- Tell us about care in the last year.\n"
            "- Do not write anyone's name.\n"
            "- Do not write rude or unkind things about people.\n"
            "- Do not try to sell things.",
            "- Tell the truth.\n"
            "- Tell us about care in the last %(years)s years.\n"
            "- Do not write anyone's name.\n"
            "- Do not write rude or unkind things about people.\n"
            "- Do not try to sell things.",
            c["years"],
        )
        % c,
        "## " + _("We check every story"),
        _(
            "A person at %(site)s reads your story first. They may take out names and other "
            "details. This keeps people safe. If we change what your story means, we ask you "
            "first. Sometimes we cannot put a story on the website. Then we tell you why."
        )
        % c,
        "## " + _("Your story on our website"),
        _(
            "We put your story on our website. We do not show your name. We do not show your "
            "email address. Anyone can read your story. You can take your story off the "
            "website at any time. Use the link we email to you."
        ),
        "## " + _("Staff who write back"),
        _("Staff write back with their own name and their job."),
        "## " + _("This website is not for emergencies"),
        _(
            "If you need help now, call 999. If you need advice about your health, call 111. "
            "To make a complaint, talk to the service."
        ),
        "## " + _("Tell us your story"),
        _("You can [tell us your story in easy read](%(tell_easy)s).") % c,
    )


def privacy_easy_read() -> str:
    c = _context()
    return _join(
        _(
            "This page tells you what we do with information about you. It is in easy read. "
            "You can also read the [full privacy notice](%(privacy)s)."
        )
        % c,
        "## " + _("What we keep"),
        _(
            "When you tell us your story, we keep:\n\n"
            "- your story\n"
            "- who had the care, for example you, or someone in your family\n"
            "- when it happened, and where\n"
            "- your email address"
        ),
        "## " + _("Who can see it"),
        _(
            "- Everyone can read your story on our website. They cannot see your name. They "
            "cannot see your email address.\n"
            "- The people who check stories can see your email address.\n"
            "- Staff from the service cannot see your email address."
        ),
        "## " + _("Your email address"),
        _(
            "We only use your email address to send you your link, and to tell you about your "
            "story. You can delete your email address at any time. Use your link to do this."
        ),
        "## " + _("How long we keep it"),
        ngettext(
            "Your story stays on our website until you take it off. When you take your story "
            "off, we delete your words %(days)s day later.",
            "Your story stays on our website until you take it off. When you take your story "
            "off, we delete your words %(days)s days later.",
            c["days"],
        )
        % c,
        "## " + _("We do not sell your information"),
        _("We never sell your information. We never use it for adverts."),
        "## " + _("Your rights"),
        _(
            "You can ask to see the information we have about you. You can ask us to change "
            "it or delete it. If you are not happy with how we use your information, you can "
            "tell the Information Commissioner's Office. Their website is ico.org.uk."
        ),
        "## " + _("Contact us"),
        _("To ask about your information:") + " " + _write_to_us(c),
    )


DEFAULTS: dict[str, Callable[[], str]] = {
    PageSlug.TERMS: terms,
    PageSlug.PRIVACY: privacy,
    PageSlug.MODERATION: moderation,
    PageSlug.ACCESSIBILITY: accessibility,
    PageSlug.CONTACT: contact,
    PageSlug.TERMS_EASY_READ: terms_easy_read,
    PageSlug.PRIVACY_EASY_READ: privacy_easy_read,
}


def default_text(slug: str) -> str:
    """The shipped text of a page, in the active language."""
    return DEFAULTS[slug]()
