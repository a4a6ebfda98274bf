from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms.models import model_to_dict

from apps.organisations.models import Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


def ods_row(
    code: str,
    name: str,
    *,
    postcode: str = "LS1 4AP",
    address: tuple[str, ...] = ("1 HIGH STREET", "LEEDS"),
    opened: str = "20010401",
    closed: str = "",
    status: str = "",
    parent: str = "",
    setting: str = "",
) -> list[str]:
    row = [""] * 27
    row[0], row[1], row[2], row[3] = code, name, "Y56", "QWO"
    for i, line in enumerate(address):
        row[4 + i] = line
    row[9], row[10], row[11], row[12] = postcode, opened, closed, status
    row[14], row[25] = parent, setting
    return row


def write(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue())
    return path


def run(path: Path, *extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ods", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> list[dict[str, object]]:
    return [
        {**model_to_dict(org), "updated_at": org.updated_at, "path": org.path}
        for org in Organisation.objects.order_by("pk")
    ]


@pytest.fixture
def trusts_file(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        "etr.csv",
        [
            ods_row("RX1", "NORTHERN GENERAL HOSPITALS NHS TRUST", postcode="LS1 4AP"),
            ods_row("RX2", "SOUTHERN COMMUNITY NHS FOUNDATION TRUST", postcode="SO16 6YD"),
            ods_row("RX3", "OLD TOWN NHS TRUST", closed="20230331"),
        ],
    )


def test_import_trusts_creates_roots_with_tidy_names(trusts_file: Path) -> None:
    out, _ = run(trusts_file)
    assert "Created 3, updated 0, closed 0" in out
    trust = Organisation.objects.get(ods_code="RX1")
    assert trust.name == "Northern General Hospitals NHS Trust"
    assert trust.kind == OrganisationKind.TRUST
    assert trust.depth == 1
    assert trust.address_line_1 == "1 High Street"
    assert trust.town == "Leeds"
    assert trust.postcode == "LS1 4AP"
    assert trust.slug == "northern-general-hospitals-nhs-trust"
    assert Organisation.objects.get(ods_code="RX3").is_active is False


def test_importing_the_same_file_twice_changes_nothing(trusts_file: Path) -> None:
    run(trusts_file)
    before = snapshot()
    out, _ = run(trusts_file)
    assert "Created 0, updated 0, closed 0, reopened 0, moved 0, unchanged 3" in out
    assert snapshot() == before


def test_sites_go_under_their_trust_and_need_it(tmp_path: Path, trusts_file: Path) -> None:
    sites = write(
        tmp_path,
        "ets.csv",
        [
            ods_row("RX1AA", "NORTHERN GENERAL HOSPITAL", parent="RX1"),
            ods_row("RX1AB", "NORTHERN EYE CENTRE", parent="RX1"),
            ods_row("RX2AA", "SOUTHERN WALK-IN CENTRE", parent="RX2"),
        ],
    )
    with pytest.raises(CommandError, match="nothing was changed"):
        run(sites)
    assert Organisation.objects.count() == 0

    run(trusts_file)
    out, _ = run(sites)
    assert "Created 3" in out
    trust = Organisation.objects.get(ods_code="RX1")
    site_codes = set(
        Organisation.objects.filter(path__startswith=trust.path, depth=2).values_list(
            "ods_code", flat=True
        )
    )
    assert site_codes == {"RX1AA", "RX1AB"}
    trust.refresh_from_db()
    assert trust.numchild == 2
    assert Organisation.objects.get(ods_code="RX1AB").kind == OrganisationKind.SITE


def test_a_later_extract_updates_closes_and_reopens(tmp_path: Path, trusts_file: Path) -> None:
    run(trusts_file)
    later = write(
        tmp_path,
        "etr.csv",
        [
            ods_row("RX1", "NORTHERN GENERAL HOSPITALS NHS TRUST", postcode="LS2 9JT"),
            ods_row(
                "RX2",
                "SOUTHERN COMMUNITY NHS FOUNDATION TRUST",
                postcode="SO16 6YD",
                closed="20250101",
            ),
            ods_row("RX3", "OLD TOWN NHS TRUST"),
            ods_row("RX4", "NEW VALLEY NHS TRUST"),
        ],
    )
    out, _ = run(later)
    assert "Created 1, updated 1, closed 1, reopened 1, moved 0, unchanged 0" in out
    assert Organisation.objects.get(ods_code="RX1").postcode == "LS2 9JT"
    closed = Organisation.objects.get(ods_code="RX2")
    assert (closed.is_active, str(closed.closed_on)) == (False, "2025-01-01")
    assert Organisation.objects.get(ods_code="RX3").is_active is True


def test_gp_practices_keep_only_gp_prescribing_settings(tmp_path: Path) -> None:
    practices = write(
        tmp_path,
        "epraccur.csv",
        [
            ods_row("B82005", "PRIORY MEDICAL GROUP", status="A", parent="15M", setting="4"),
            ods_row("B82006", "DORMANT PRACTICE", status="D", parent="15M", setting="4"),
            ods_row("Y01234", "OUT OF HOURS SERVICE", status="A", parent="15M", setting="1"),
        ],
    )
    out, _ = run(practices)
    assert "Created 2" in out
    assert "skipped 1" in out
    practice = Organisation.objects.get(ods_code="B82005")
    assert (practice.kind, practice.depth, practice.is_active) == (
        OrganisationKind.GP_PRACTICE,
        1,
        True,
    )
    assert Organisation.objects.get(ods_code="B82006").is_active is False


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["RX9", "TOO FEW COLUMNS"], "line 2: expected 27 columns, found 2"),
        (ods_row("", "NO CODE"), "line 2: organisation code '' is not an ODS code"),
        (ods_row("RX9", ""), "line 2: the name is empty"),
        (ods_row("RX9", "BAD DATE", opened="2001-04-01"), "line 2: open date '2001-04-01'"),
        (ods_row("RX9", "BAD POSTCODE", postcode="NOT A CODE"), "line 2: postcode 'NOT A CODE'"),
        (ods_row("RX1", "DUPLICATE"), "line 2: code RX1 already appears on line 1"),
        (ods_row("RX9", "X" * 201), "line 2: the name is longer than 200 characters"),
        (ods_row("RX9", "A", address=("Y" * 201,)), "line 2: an address line is longer than"),
    ],
)
def test_a_malformed_row_names_its_line_and_imports_nothing(
    tmp_path: Path, row: list[str], message: str
) -> None:
    path = write(tmp_path, "etr.csv", [ods_row("RX1", "GOOD NHS TRUST"), row])
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_ods", str(path), stdout=io.StringIO(), stderr=err)
    assert message in err.getvalue()
    assert Organisation.objects.count() == 0


def test_a_site_whose_trust_is_missing_changes_nothing(tmp_path: Path, trusts_file: Path) -> None:
    """Found only when the file is applied, yet the good rows before it do not land either."""
    run(trusts_file)
    before = snapshot()
    sites = write(
        tmp_path,
        "ets.csv",
        [
            ods_row("RX1AA", "FINE SITE", parent="RX1"),
            ods_row("RZZAA", "ORPHAN SITE", parent="RZZ"),
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ods", str(sites), stdout=io.StringIO(), stderr=err)
    assert "line 2: parent trust RZZ is not in the tree" in err.getvalue()
    assert snapshot() == before


def test_unknown_file_names_need_a_layout(tmp_path: Path) -> None:
    path = write(tmp_path, "download.csv", [ods_row("RX1", "A TRUST")])
    with pytest.raises(CommandError, match="--layout"):
        run(path)
    out, _ = run(path, "--layout", "trusts")
    assert "Created 1" in out


def test_large_files_show_progress(tmp_path: Path) -> None:
    rows = [ods_row(f"P{n:05d}", f"PRACTICE {n}", status="A", setting="4") for n in range(2500)]
    path = write(tmp_path, "epraccur.csv", rows)
    out, err = run(path)
    assert "Created 2,500" in out
    assert "Checked 1,000 of 2,500 (40%)" in err
    assert "Applied 2,500 of 2,500 (100%)" in err
    assert Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).count() == 2500
    # Slugs stay unique even when names repeat across files.
    assert Organisation.objects.values("slug").distinct().count() == 2500


def test_new_names_that_clash_get_numbered_slugs(tmp_path: Path) -> None:
    run(write(tmp_path, "etr.csv", [ods_row("RX1", "ST MARY'S NHS TRUST")]))
    run(
        write(
            tmp_path,
            "epraccur.csv",
            [
                ods_row("B10001", "ST MARY'S NHS TRUST", status="A", setting="4"),
                ods_row("B10002", "ST MARY'S NHS TRUST", status="A", setting="4"),
            ],
        )
    )
    slugs = sorted(Organisation.objects.values_list("slug", flat=True))
    assert slugs == ["st-marys-nhs-trust", "st-marys-nhs-trust-2", "st-marys-nhs-trust-3"]


def test_a_gp_practice_with_an_unknown_status_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "epraccur.csv", [ods_row("B82005", "PRACTICE", status="Q", setting="4")])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ods", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 1: status 'Q' is not one of A, C, D or P" in err.getvalue()


def test_a_file_that_is_not_text_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "etr.csv"
    path.write_bytes(b'"RX1","A TRUST"\n"RX2","\x81BAD"\n')
    with pytest.raises(CommandError, match="line 2: byte 0x81"):
        run(path)


def test_the_command_exits_non_zero_naming_the_line(tmp_path: Path) -> None:
    """As an operator runs it: the real manage.py, its exit status and its message."""
    import os
    import subprocess
    import sys

    path = write(tmp_path, "etr.csv", [ods_row("RX1", "GOOD NHS TRUST"), ["BROKEN"]])
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argv
        [sys.executable, "manage.py", "import_ods", str(path)],
        cwd=root,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "etr.csv: line 2: expected 27 columns, found 1" in result.stderr
    assert "nothing was changed" in result.stderr
