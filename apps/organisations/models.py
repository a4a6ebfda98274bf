from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Replace, Upper
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from treebeard.mp_tree import MP_Node, MP_NodeManager

from apps.core.languages import ENGLISH, HTML_TAGS, WELSH
from apps.core.models import TimeStampedModel


class OrganisationKind(models.TextChoices):
    TRUST = "trust", gettext_lazy("NHS trust")
    BOARD = "board", gettext_lazy("Health board")
    SITE = "site", gettext_lazy("Site")
    DIRECTORATE = "directorate", gettext_lazy("Directorate")
    SERVICE = "service", gettext_lazy("Service")
    TEAM = "team", gettext_lazy("Team")
    GP_PRACTICE = "gp_practice", gettext_lazy("GP practice")
    CARE_HOME = "care_home", gettext_lazy("Care home")


# The longest description, in either language: a paragraph or two under the page's heading.
DESCRIPTION_MAX = 1000


# The lang attribute of English text on a Welsh page.
_ENGLISH_TAG = HTML_TAGS[ENGLISH]


def welsh_page() -> bool:
    """Whether the active language is Welsh (the page's address is under /cy/)."""
    return (get_language() or "").startswith(WELSH)


# The kinds a story is told about: the leaves people meet.
SERVICE_KINDS = (
    OrganisationKind.SERVICE,
    OrganisationKind.TEAM,
    OrganisationKind.GP_PRACTICE,
    OrganisationKind.CARE_HOME,
)


class Organisation(MP_Node, TimeStampedModel):
    """A node of the organisations tree: trust or board, site, directorate, service or team.

    The materialised path makes "everything under X" one prefix query
    (path LIKE 'X%'), answered from the pattern-ops index Django adds beside the
    unique index; the C collation keeps path order byte order, as treebeard expects.
    """

    path = models.CharField(max_length=255, unique=True, db_collation="C")
    steplen = 4
    objects: ClassVar[MP_NodeManager] = MP_NodeManager()

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    ods_code = models.CharField(
        gettext_lazy("ODS code"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text=gettext_lazy("The NHS Organisation Data Service code, where it has one."),
    )
    slug = models.SlugField(max_length=220, unique=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    postcode_key = models.GeneratedField(
        expression=Upper(Replace("postcode", Value(" "), Value(""))),
        output_field=models.CharField(max_length=10),
        db_persist=True,
    )
    website = models.URLField(blank=True)
    listed_staff_names = models.TextField(
        blank=True,
        help_text=gettext_lazy(
            "Names of staff, one a line, that moderators should be shown if a story "
            "mentions them. Never shown to the public."
        ),
    )
    # What the organisation says of itself, and its name and words in Welsh, set by its
    # super-users (docs/languages.md, "Welsh names of organisations"). Plain text; a Welsh
    # page shows the Welsh where it is set, the English where not.
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True)
    name_cy = models.CharField("Welsh name", max_length=200, blank=True)
    description_cy = models.CharField("Welsh description", max_length=DESCRIPTION_MAX, blank=True)
    is_active = models.BooleanField(default=True)
    closed_on = models.DateField(null=True, blank=True)
    # Settings that a trust (a root node) sets for its whole tree.
    responses_held_for_new_responders = models.PositiveSmallIntegerField(
        default=3,
        help_text=gettext_lazy(
            "How many of a new responder's first responses wait for a moderator."
        ),
    )
    response_target_working_days = models.PositiveSmallIntegerField(
        default=2,
        help_text=gettext_lazy(
            "Working days after publication before unanswered stories remind staff."
        ),
    )
    # The right of reply (docs/decisions.md, "Right of reply and restriction"): how long a
    # story is held after moderation so the trust can answer before it goes public, and
    # whether every story about its services is held (an independent provider may ask).
    right_of_reply_working_days = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=gettext_lazy(
            "Working days a held story waits, so the trust can respond before it is published."
        ),
    )
    hold_every_story = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Hold every story about this trust's services for the right of reply, "
            "not only the severely critical ones."
        ),
    )
    # The Friends and Family Test question (docs/ways-in.md): whether the tell flows ask it
    # of each of the trust's services, and before or after the story.
    fft_asked = models.CharField(
        max_length=6,
        choices=[
            ("", gettext_lazy("Not asked")),
            ("before", gettext_lazy("Before the story")),
            ("after", gettext_lazy("After the story")),
        ],
        blank=True,
        default="",
        help_text=gettext_lazy(
            "Ask the Friends and Family Test question for each service named, before "
            "or after the story."
        ),
    )
    # The board report's targets (docs/insight.md, "Board report"): what the trust aims for.
    target_response_rate = models.PositiveSmallIntegerField(
        default=90,
        validators=[MaxValueValidator(100)],
        help_text=gettext_lazy("Percent of stories the trust aims to answer in public."),
    )
    target_within_response_target = models.PositiveSmallIntegerField(
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=gettext_lazy(
            "Percent of stories the trust aims to answer within its response target."
        ),
    )
    target_median_response_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MaxValueValidator(365)],
        help_text=gettext_lazy(
            "Days within which the typical (median) first response should come."
        ),
    )

    class Meta:
        ordering: ClassVar = ["name"]
        # Object permissions, granted per node by `responders` alone (see ROLE_PERMISSIONS).
        permissions: ClassVar = [
            ("view_staff_data", "See staff-only data and receive alerts"),
            ("respond", "Respond in public and record changes"),
            ("manage_roles", "Invite staff and grant roles beneath this node"),
        ]
        indexes: ClassVar = [
            GinIndex(name="org_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
            GinIndex(name="org_name_cy_trgm", fields=["name_cy"], opclasses=["gin_trgm_ops"]),
            models.Index(
                name="org_postcode_prefix",
                fields=["postcode_key"],
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(name="org_kind_active", fields=["kind", "is_active"]),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(ods_code__isnull=True) | ~models.Q(ods_code=""),
                name="org_ods_code_null_not_blank",
            ),
        ]

    def __str__(self) -> str:
        return self.own_name

    @property
    def own_name(self) -> str:
        """Its own name in the page's language: the Welsh name on a Welsh page where it has
        one, else the English. Read only if loaded: a row fetched with `only()` a few
        fields shows its English name rather than cost a query."""
        welsh = self.__dict__.get("name_cy") if welsh_page() else None
        return welsh or self.name

    @property
    def own_name_lang(self) -> str:
        """The language tag to mark `own_name` with where it is not in the page's language
        (the English name on a Welsh page); "" where it is."""
        return _ENGLISH_TAG if welsh_page() and not self.__dict__.get("name_cy") else ""

    @property
    def display_description_lang(self) -> str:
        """As `own_name_lang`, for `display_description`."""
        return _ENGLISH_TAG if welsh_page() and not self.description_cy else ""

    @property
    def display_description(self) -> str:
        """What it says of itself in the page's language: the Welsh on a Welsh page where
        it is set, else the English (which may be empty)."""
        if welsh_page() and self.description_cy:
            return self.description_cy
        return self.description

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", kwargs={"slug": self.slug})

    @property
    def is_service(self) -> bool:
        return self.kind in SERVICE_KINDS

    @property
    def display_name(self) -> str:
        """The name a person recognises: the node with its site and its trust, as in
        "Emergency Department, Ashdown General Hospital (Ashdown Vale Hospitals NHS
        Foundation Trust)". The site and trust names come from `with_place`
        (organisations.selectors), which adds them to the same query; without them
        (a root, or a row loaded without it) it is the name alone, never a query more.
        Each name is in the page's language where it has one (`own_name`)."""
        root = self._place("place_root")
        if not root:
            return self.own_name
        site = self._place("place_site")
        if site:
            return _("%(name)s, %(site)s (%(root)s)") % {
                "name": self.own_name,
                "site": site,
                "root": root,
            }
        return _("%(name)s (%(root)s)") % {"name": self.own_name, "root": root}

    def _place(self, name: str) -> str | None:
        """A name `with_place` added: the Welsh one (`<name>_cy`) on a Welsh page, if set."""
        welsh = getattr(self, f"{name}_cy", None) if welsh_page() else None
        return welsh or getattr(self, name, None)

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(part for part in parts if part)

    @property
    def root_path(self) -> str:
        """The path of the trust (or other root) this node belongs to."""
        return self.path[: self.steplen]

    def ancestor_paths(self) -> list[str]:
        """Paths of every ancestor, root first, worked out without a query."""
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]
