"""The 1.1 format: statements, per-deployment texts, partners and conditions, each error exact with its path."""

import pytest

from assessment.modelfile import ConditionSpec, Texts, parse, to_yaml, validate
from tests.test_modelfile import control, errors_of, tiny

WHERE = "areas[0].controls[1] (NET-DDOS)"


def with_condition(condition):
    data = tiny()
    control(data, 1)["condition"] = condition
    return data


def test_condition_is_read():
    spec = validate(with_condition({"control": "NET-ALLOW", "answers": ["implemented", "partial"]}))
    assert spec.controls[1].condition == ConditionSpec("NET-ALLOW", ("implemented", "partial"))


@pytest.mark.parametrize(
    "condition, message",
    [
        ({"control": "NET-NOPE", "answers": ["implemented"]}, "condition.control: unknown control 'NET-NOPE'"),
        (
            {"control": "NET-DDOS", "answers": ["implemented"]},
            "condition.control: a control cannot be conditional on itself",
        ),
        (
            {"control": "NET-ALLOW", "answers": ["implemented", "yes"]},
            "condition.answers[1]: unknown answer 'yes'; known: implemented, partial, provider, not_implemented, "
            "unknown, not_applicable",
        ),
        (
            {"control": "NET-ALLOW", "answers": []},
            "condition.answers: must be a non-empty list of answers, e.g. [implemented, partial]; known: "
            "implemented, partial, provider, not_implemented, unknown, not_applicable",
        ),
        ({"control": "NET-ALLOW"}, "condition.answers: required field missing"),
        ({"answers": ["implemented"]}, "condition.control: required field missing"),
        (
            {"control": "NET-ALLOW", "answers": ["implemented"], "when": "always"},
            "condition.when: unknown key; allowed: control, answers",
        ),
        ("NET-ALLOW", "condition: must be a mapping with control and answers, got text"),
    ],
)
def test_condition_errors(condition, message):
    assert errors_of(with_condition(condition)) == [f"{WHERE}: {message}"]


def test_condition_cycle_is_reported_once_with_its_path():
    data = with_condition({"control": "NET-ALLOW", "answers": ["implemented"]})
    control(data, 0)["condition"] = {"control": "NET-DDOS", "answers": ["provider"]}
    assert errors_of(data) == ["areas[0].controls[0] (NET-ALLOW): condition: cycle: NET-ALLOW -> NET-DDOS -> NET-ALLOW"]


def test_partners_name_the_other_party_of_a_shared_control():
    data = tiny()
    control(data)["owners"]["iaas"] = "shared"
    control(data)["partners"] = {"iaas": "infrastructure", "managed": "provider"}
    spec = validate(data).controls[0]
    assert (spec.partner("iaas"), spec.partner("managed"), spec.partner("on-premises")) == (
        "infrastructure",
        "provider",
        None,
    )
    # "provider" is the default: saying it or not is the same content.
    del control(data)["partners"]["managed"]
    assert validate(data).controls[0] == spec


@pytest.mark.parametrize(
    "partners, message",
    [
        (
            {"iaas": "infrastructure"},
            "partners.iaas: only a shared control has a partner; the owner under iaas is 'customer'",
        ),
        ({"managed": "cloud"}, "partners.managed: unknown partner 'cloud'; known: provider, infrastructure"),
        ({"paas": "provider"}, "partners.paas: unknown deployment"),
        (["managed"], "partners: must be a mapping of deployment to provider or infrastructure, got a list"),
    ],
)
def test_partner_errors(partners, message):
    data = tiny()
    control(data)["partners"] = partners
    assert errors_of(data) == [f"areas[0].controls[0] (NET-ALLOW): {message}"]


def test_guidance_per_deployment_with_a_common_part():
    data = tiny()
    control(data)["guidance"] = {"common": "Keep it short.", "managed": "Use the console's IP allow list."}
    guidance = validate(data).controls[0].guidance
    assert guidance == Texts("Keep it short.", (("managed", "Use the console's IP allow list."),))
    assert guidance.for_deployment("managed") == "Keep it short.\n\nUse the console's IP allow list."
    assert guidance.for_deployment("iaas") == "Keep it short."


@pytest.mark.parametrize(
    "guidance, message",
    [
        ({"paas": "x"}, "guidance.paas: unknown deployment; known: common, on-premises, iaas, managed"),
        ({}, "guidance: must not be empty"),
        ({"managed": 3}, 'guidance.managed: must be text, got a number; quote it, e.g. "3"'),
    ],
)
def test_guidance_errors(guidance, message):
    data = tiny()
    control(data)["guidance"] = guidance
    assert errors_of(data) == [f"areas[0].controls[0] (NET-ALLOW): {message}"]


def test_text_for_a_deployment_where_the_control_is_not_asked_is_refused():
    data = tiny()
    control(data)["owners"]["on-premises"] = "none"
    control(data)["guidance"] = {"common": "x", "on-premises": "y"}
    assert errors_of(data) == [
        "areas[0].controls[0] (NET-ALLOW): guidance.on-premises: the control is not asked under on-premises "
        "(owner none), so no one would read this"
    ]


def test_shared_needs_a_customer_part_for_that_deployment():
    data = tiny()
    control(data)["customer_part"] = {"iaas": "Only on IaaS."}
    assert errors_of(data) == [
        "areas[0].controls[0] (NET-ALLOW): customer_part: required because the control is shared under managed"
    ]


def test_question_is_the_old_name_of_statement():
    data = tiny()
    control(data)["question"] = control(data).pop("statement")
    assert validate(data).controls[0].statement == "Access is limited by allow lists."
    control(data)["statement"] = "Twice."
    assert errors_of(data) == [
        "areas[0].controls[0] (NET-ALLOW): question: give the practice once, as statement (question is its old name)"
    ]


def test_common_is_not_a_deployment_key():
    data = tiny()
    data["deployments"][0]["key"] = "common"
    assert "deployments[0]: key: 'common' is reserved for the part of a text every deployment shows" in errors_of(data)


def test_the_new_fields_round_trip_through_the_file_format():
    data = with_condition({"control": "NET-ALLOW", "answers": ["partial"]})
    control(data)["owners"]["iaas"] = "shared"
    control(data)["partners"] = {"iaas": "infrastructure"}
    control(data)["guidance"] = {"common": "a", "iaas": "b"}
    control(data)["provider_part"] = {"iaas": "The cloud's part.", "managed": "Yugabyte's part."}
    spec = validate(data)
    again = parse(to_yaml(spec))
    assert again == spec
    assert again.content_hash == spec.content_hash


def test_the_documented_example_loads():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "model-format.md").read_text()
    example = doc.split("## Example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = parse(example)
    assert [c.id for c in spec.controls] == ["BCK-SCHED", "BCK-TEST"]
    assert spec.controls[1].condition == ConditionSpec("BCK-SCHED", ("implemented", "partial"))
