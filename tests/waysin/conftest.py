from __future__ import annotations

import pytest
from django.core.cache import cache

from apps.organisations.models import Organisation, OrganisationKind
from tests.factories import OrganisationFactory


@pytest.fixture
def fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def ward(org: Organisation) -> Organisation:
    """A ward under the cast's trust (`org`), beside its outpatients."""
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    return OrganisationFactory(parent=site, name="Ward 7", kind=OrganisationKind.SERVICE)
