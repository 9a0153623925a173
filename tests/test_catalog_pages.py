"""The public model library: list, matrix, control page, exports, error pages."""

import re
from pathlib import Path

import pytest
import yaml

from assessment.modelfile import parse
from assessment.services.catalog import model_load
from tests.htmltable import table_rows

SEED_003 = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "003_627b287870cd054a.txt"
COLOURS = {"ededed": "Customer", "80bdf9": "Cloud provider"}


def seed_table() -> list[list[str]]:
    """The seed's markdown table: [row name, owner per column] with colours read as parties."""
    rows = []
    for line in SEED_003.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and "circle-" in line:
            rows.append([cells[0]] + [COLOURS[re.search(r"circle-(\w+)\.svg", c).group(1)] for c in cells[1:]])
    return rows


def test_model_list_shows_published_models_with_counts(client, yb_model, cloud_model):
    response = client.get("/models/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "YugabyteDB Managed" in html and "v1.0" in html
    assert "7 areas · 45 controls" in html
    assert "1 area · 9 controls" in html


def test_model_list_empty_state(client, db):
    response = client.get("/models/")
    assert "No responsibility model has been published yet." in response.content.decode()


def test_draft_models_are_not_public(client, db):
    spec = parse(
        (Path(__file__).resolve().parent.parent / "fixtures" / "cloud-division-of-responsibility.yaml").read_text()
    )
    model_load(spec=spec)  # draft
    assert "Generic cloud" not in client.get("/models/").content.decode()
    assert client.get("/models/cloud-division-of-responsibility/1.0/").status_code == 404


@pytest.mark.skipif(not SEED_003.exists(), reason="shared/seeds is not beside the checkout")
def test_cloud_matrix_equals_seed_table_cell_for_cell(client, cloud_model):
    html = client.get("/models/cloud-division-of-responsibility/1.0/").content.decode()
    rows = table_rows(html, "matrix")
    header, body = rows[0], [r for r in rows[1:] if len(r) == 4]
    assert header == ["Control", "Private infrastructure", "IaaS", "PaaS"]
    page = [[re.sub(r" [A-Z-]+$", "", r[0]), *r[1:]] for r in body]  # drop the control id after the title
    expected = seed_table()
    assert len(expected) == 9
    assert page == expected


def test_matrix_groups_rows_by_area_with_owner_words(client, yb_model):
    html = client.get("/models/yugabytedb-managed/1.0/").content.decode()
    rows = table_rows(html, "matrix")
    assert rows[0] == ["Control", "On-premises", "IaaS", "YugabyteDB Managed"]
    assert rows[1] == ["Encryption"]
    by_id = {r[0].split()[-1]: r[1:] for r in rows if len(r) == 4}
    assert by_id["NET-ALLOW"] == ["Customer", "Customer", "Customer"]
    assert by_id["OPS-OSPATCH"] == ["Customer", "Customer", "Yugabyte"]
    assert by_id["OPS-PHYS"] == ["Customer", "Cloud provider", "Cloud provider"]
    assert "Shared with Yugabyte" in by_id["BCK-SCHED"]
    assert '<th scope="col"' in html and '<th scope="row"' in html


def test_matrix_filters_by_deployment_and_area(client, yb_model):
    html = client.get("/models/yugabytedb-managed/1.0/?deployment=managed&area=network").content.decode()
    rows = table_rows(html, "matrix")
    assert rows[0] == ["Control", "YugabyteDB Managed"]
    assert [r for r in rows if len(r) == 1] == [["Network exposure"]]
    assert all(r[0].split()[-1].startswith("NET-") for r in rows[2:])


def test_matrix_ignores_unknown_filters(client, yb_model):
    rows = table_rows(client.get("/models/yugabytedb-managed/1.0/?deployment=x&area=y").content.decode(), "matrix")
    assert rows[0] == ["Control", "On-premises", "IaaS", "YugabyteDB Managed"]
    assert len([r for r in rows if len(r) == 1]) == 7


def test_matrix_query_count_does_not_grow_with_controls(client, yb_model, cloud_model, django_assert_num_queries):
    with django_assert_num_queries(6):
        client.get("/models/cloud-division-of-responsibility/1.0/")
    with django_assert_num_queries(6):
        client.get("/models/yugabytedb-managed/1.0/")


def test_control_page(client, yb_model):
    html = client.get("/models/yugabytedb-managed/1.0/controls/BCK-SCHED/").content.decode()
    control = yb_model.controls.get(control_id="BCK-SCHED")
    assert control.statement in html
    assert control.guidance in html
    assert f"<strong>Your part:</strong> {control.customer_part}" in html
    rows = table_rows(html, "table")
    assert ["YugabyteDB Managed", "Shared with Yugabyte"] in rows
    for ref in control.reference_list:
        assert ref in html


def test_unknown_control_is_404_with_styled_page(client, yb_model):
    response = client.get("/models/yugabytedb-managed/1.0/controls/NOPE/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_round_trip_reproduces_the_model(client, yb_model, fmt):
    response = client.get(f"/models/yugabytedb-managed/1.0/export.{fmt}")
    assert response.status_code == 200
    spec = parse(response.content.decode())
    assert spec.content_hash == yb_model.content_hash
    assert len(spec.controls) == 45


def test_export_loads_into_a_fresh_database_identically(client, cloud_model):
    exported = client.get("/models/cloud-division-of-responsibility/1.0/export.yaml").content.decode()
    data = yaml.safe_load(exported)
    data["version"] = "2.0"
    copy = model_load(spec=parse(yaml.safe_dump(data)), publish=True).model
    assert [(c.control_id, c.title, c.references) for c in copy.controls.order_by("position")] == [
        (c.control_id, c.title, c.references) for c in cloud_model.controls.order_by("position")
    ]


def test_unknown_export_format_is_404(client, yb_model):
    assert client.get("/models/yugabytedb-managed/1.0/export.xml").status_code == 404


def test_500_page_is_styled(client):
    from django.template.loader import render_to_string

    assert "Something went wrong on our side" in render_to_string("500.html")
