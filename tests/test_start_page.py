"""The start page: fields in order, deployments as radio cards with their share of controls, specific errors."""

import pytest
import tinyhtml5
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Assessment, ResponsibilityModel
from assessment.selectors.catalog import deployment_choices
from tests.conftest import fixture_spec, load_fixture

YB = "yugabytedb-managed-1.1"
CLOUD = "cloud-division-of-responsibility-1.1"


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def yb(db):
    return load_fixture(YB)


@pytest.fixture
def cloud(db):
    return load_fixture(CLOUD)


def parse(response):
    return tinyhtml5.parse(response.content.decode(), namespace_html_elements=False)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def expected_counts(name: str) -> dict[str, tuple[int, int]]:
    """(owned, applies) per deployment key, counted from the model file itself."""
    spec = fixture_spec(name)
    counts = {d.key: [0, 0] for d in spec.deployments}
    for control in spec.controls:
        for key, owner in control.owners:
            counts[key][0] += owner in ("customer", "shared")
            counts[key][1] += owner != "none"
    return {key: tuple(value) for key, value in counts.items()}


def cards(page, name: str) -> list[dict]:
    result = []
    for label in page.iterfind(".//label[@class='choice-card']"):
        radio = label.find("input")
        if radio.get("name") != name:
            continue
        spans = {span.get("class"): text(span) for span in label.iter("span")}
        result.append(
            {
                "value": radio.get("value"),
                "name": spans["choice-card-name"],
                "hint": spans["choice-card-hint"],
                "summary": spans.get("choice-card-summary"),
                "checked": radio.get("checked") is not None,
            }
        )
    return result


def test_the_fields_come_in_order_title_scope_model_deployment_how_to_answer(logged_in, yb):
    html = logged_in.get("/assessments/new/").content.decode()
    positions = [html.index(f'name="{name}"') for name in ("title", "scope", "model", "deployment", "mode")]
    assert positions == sorted(positions)


def test_each_deployment_is_a_card_with_its_description_and_share_of_controls(logged_in, yb):
    counts = expected_counts(YB)
    assert counts["managed"] == (41, 51)  # the sentence below reads it from the database; the file says the same
    page = parse(logged_in.get("/assessments/new/"))
    by_key = {d.pk: d.key for d in yb.deployments.all()}
    shown = cards(page, "deployment")
    assert [c["name"] for c in shown] == ["On-premises", "IaaS", "YugabyteDB Managed"]
    for card in shown:
        owned, applies = counts[by_key[int(card["value"])]]
        assert card["summary"] == f"You own {owned} of {applies} controls here"
    assert shown[2]["hint"] == (
        "Fully managed YugabyteDB clusters that Yugabyte operates for you on AWS, Azure or Google Cloud."
    )
    # Nothing is chosen for the user, even with one model to choose from.
    assert not any(c["checked"] for c in shown)
    assert [o.get("value") for o in page.iterfind(".//select[@id='id_model']/option") if "selected" in o.attrib] == [""]
    fieldset = page.find(".//fieldset[@id='id_deployment']")
    assert text(fieldset.find("legend")) == "How you deploy*"
    assert fieldset.find(".//fieldset") is None  # one model: no group per model


def test_the_deployment_cards_are_real_radios_named_by_their_title_and_described_by_the_rest(logged_in, yb):
    page = parse(logged_in.get("/assessments/new/"))
    managed = yb.deployments.get(key="managed")
    radio = page.find(f".//input[@id='id_deployment_{managed.pk}']")
    assert (radio.get("type"), radio.get("name"), radio.get("value")) == ("radio", "deployment", str(managed.pk))
    assert text(page.find(f".//*[@id='{radio.get('aria-labelledby')}']")) == "YugabyteDB Managed"
    described = [text(page.find(f".//*[@id='{i}']")) for i in radio.get("aria-describedby").split()]
    assert described[1] == "You own 41 of 51 controls here"


def test_with_several_models_the_cards_are_grouped_by_model(logged_in, yb, cloud):
    page = parse(logged_in.get("/assessments/new/"))
    groups = page.find(".//fieldset[@id='id_deployment']").findall(".//fieldset[@class='deployment-group']")
    assert [(text(g.find("legend")), g.get("data-model")) for g in groups] == [
        ("Generic cloud division of responsibility", str(cloud.pk)),
        ("YugabyteDB Managed", str(yb.pk)),
    ]
    assert all("hidden" not in g.attrib for g in groups)  # without JavaScript every model's cards show
    counts = expected_counts(CLOUD)
    cloud_cards = [c for c in cards(groups[0], "deployment")]
    assert [(c["name"], c["summary"]) for c in cloud_cards] == [
        ("Private infrastructure", "You own {} of {} controls here".format(*counts["private"])),
        ("IaaS", "You own {} of {} controls here".format(*counts["iaas"])),
        ("PaaS", "You own {} of {} controls here".format(*counts["paas"])),
    ]


def test_how_to_answer_is_radio_cards_with_the_recommended_way_chosen(logged_in, yb):
    page = parse(logged_in.get("/assessments/new/"))
    assert [(c["value"], c["name"], c["checked"]) for c in cards(page, "mode")] == [
        ("blind", "Answer first, then see the model (recommended)", True),
        ("guided", "Guided: show the model while answering", False),
    ]
    assert text(page.find(".//fieldset[@id='id_mode']/legend")) == "How to answer"


def test_the_selector_counts_in_two_queries_whatever_the_number_of_models(yb, cloud):
    with CaptureQueriesContext(connection) as queries:
        groups = deployment_choices(ResponsibilityModel.objects.filter(pk__in=[yb.pk, cloud.pk]))
    assert len(queries) == 2
    managed = next(c for g in groups for c in g.choices if c.deployment.key == "managed")
    assert (managed.owned, managed.applies, managed.summary) == (41, 51, "You own 41 of 51 controls here")


def test_one_applicable_control_is_singular(yb):
    managed = yb.deployments.get(key="managed")
    managed.ownerships.exclude(control__control_id="NET-ALLOW").update(owner="none")
    managed.ownerships.filter(control__control_id="NET-ALLOW").update(owner="customer")
    (group,) = deployment_choices(ResponsibilityModel.objects.filter(pk=yb.pk))
    assert group.choices[2].summary == "You own 1 of 1 control here"


def summary(page) -> list[tuple[str, str]]:
    box = next(d for d in page.iter("div") if "data-error-summary" in d.attrib)
    assert (box.get("role"), box.get("tabindex"), text(box.find("h2"))) == ("alert", "-1", "There is a problem")
    assert box.get("autofocus") is not None
    return [(a.get("href"), text(a)) for a in box.iter("a")]


def field_error(page, field: str) -> str:
    return text(page.find(f".//*[@id='id_{field}_error']"))


def test_an_empty_form_says_what_to_do_for_each_field_and_links_to_it(logged_in, yb):
    response = logged_in.post("/assessments/new/", {"title": "", "scope": "", "model": "", "mode": "blind"})
    page = parse(response)
    assert summary(page) == [
        ("#id_title", "Give the assessment a title"),
        ("#id_model", "Choose a responsibility model"),
        ("#id_deployment", "Choose how you deploy"),
    ]
    for href, _message in summary(page):
        assert page.find(f".//*[@id='{href[1:]}']") is not None
    assert field_error(page, "title") == "Give the assessment a title"
    assert field_error(page, "model") == "Choose a responsibility model"
    assert field_error(page, "deployment") == "Error: Choose how you deploy"
    assert "This field is required." not in response.content.decode()
    assert text(page.find(".//title")).startswith("Error: Start an assessment")
    assert Assessment.objects.count() == 0


def test_the_deployment_message_names_the_chosen_model(logged_in, yb):
    response = logged_in.post("/assessments/new/", {"title": "Payments", "model": yb.pk})
    page = parse(response)
    assert summary(page) == [("#id_deployment", "Choose how you deploy YugabyteDB Managed")]
    fieldset = page.find(".//fieldset[@id='id_deployment']")
    assert fieldset.get("aria-describedby") == "id_deployment_helptext id_deployment_error"
    assert text(fieldset.find(".//p[@id='id_deployment_error']")) == "Error: Choose how you deploy YugabyteDB Managed"
    assert Assessment.objects.count() == 0


def test_a_deployment_that_is_not_offered_is_asked_for_again(logged_in, yb):
    response = logged_in.post("/assessments/new/", {"title": "Payments", "model": yb.pk, "deployment": "999999"})
    assert summary(parse(response)) == [("#id_deployment", "Choose how you deploy YugabyteDB Managed")]


def test_a_deployment_of_another_model_keeps_its_own_message(logged_in, yb, cloud):
    paas = cloud.deployments.get(key="paas")
    response = logged_in.post("/assessments/new/", {"title": "X", "model": yb.pk, "deployment": paas.pk})
    message = (
        "“PaaS” belongs to Generic cloud division of responsibility 1.1, not YugabyteDB Managed 1.1; "
        "choose one of YugabyteDB Managed 1.1’s deployments."
    )
    assert summary(parse(response)) == [("#id_deployment", message)]
    assert Assessment.objects.count() == 0


def test_a_refused_post_keeps_what_was_chosen(logged_in, yb):
    managed = yb.deployments.get(key="managed")
    page = parse(
        logged_in.post("/assessments/new/", {"title": "", "model": yb.pk, "deployment": managed.pk, "mode": "guided"})
    )
    assert [c["name"] for c in cards(page, "deployment") if c["checked"]] == ["YugabyteDB Managed"]
    assert [c["value"] for c in cards(page, "mode") if c["checked"]] == ["guided"]
    assert summary(page) == [("#id_title", "Give the assessment a title")]


def test_choosing_everything_starts_the_assessment(logged_in, yb):
    managed = yb.deployments.get(key="managed")
    response = logged_in.post(
        "/assessments/new/", {"title": "Payments", "model": yb.pk, "deployment": managed.pk, "mode": "guided"}
    )
    created = Assessment.objects.get()
    assert response["Location"] == f"/assessments/{created.pk}/areas/encryption/"
    assert (created.deployment, created.mode) == (managed, "guided")


def test_the_page_does_not_grow_its_queries_with_the_models(logged_in, yb):
    with CaptureQueriesContext(connection) as one:
        logged_in.get("/assessments/new/")
    load_fixture(CLOUD)
    with CaptureQueriesContext(connection) as two:
        logged_in.get("/assessments/new/")
    assert len(two) == len(one)
