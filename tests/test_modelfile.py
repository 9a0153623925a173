"""Model file validation: every error has an exact message with its path, and nothing is written."""

import copy
import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessment.modelfile import ModelFileError, parse, to_json, to_yaml, validate
from assessment.models import Control, ResponsibilityModel

TINY = {
    "slug": "tiny",
    "version": "1.0",
    "title": "Tiny",
    "description": "A tiny model.",
    "parties": {"customer": "Customer", "provider": "Yugabyte", "infrastructure": "Cloud provider"},
    "deployments": [
        {"key": "on-premises", "name": "On-premises"},
        {"key": "iaas", "name": "IaaS"},
        {"key": "managed", "name": "Managed"},
    ],
    "areas": [
        {
            "key": "network",
            "title": "Network exposure",
            "controls": [
                {
                    "id": "NET-ALLOW",
                    "title": "Allow lists",
                    "statement": "Access is limited by allow lists.",
                    "why": "Open endpoints get attacked.",
                    "guidance": "Add only your application CIDRs.",
                    "severity": "critical",
                    "references": {"NIST SP 800-53 r5": ["SC-7"]},
                    "owners": {"on-premises": "customer", "iaas": "customer", "managed": "shared"},
                    "customer_part": "Keep the allow list tight.",
                },
                {
                    "id": "NET-DDOS",
                    "title": "DDoS",
                    "statement": "The endpoint is protected against DDoS attacks.",
                    "why": "Floods take you offline.",
                    "guidance": "Use the provider's protection.",
                    "severity": "medium",
                    "owners": {"on-premises": "customer", "iaas": "infrastructure", "managed": "provider"},
                },
            ],
        }
    ],
}


def tiny(**changes):
    data = copy.deepcopy(TINY)
    data.update(changes)
    return data


def control(data, i=0):
    return data["areas"][0]["controls"][i]


def errors_of(data) -> list[str]:
    with pytest.raises(ModelFileError) as info:
        validate(data)
    return info.value.errors


def test_valid_file_gives_spec():
    spec = validate(tiny())
    assert [c.id for c in spec.controls] == ["NET-ALLOW", "NET-DDOS"]
    assert spec.controls[0].owners == (("on-premises", "customer"), ("iaas", "customer"), ("managed", "shared"))


def test_not_yaml():
    with pytest.raises(ModelFileError) as info:
        parse("slug: [unclosed\n")
    assert info.value.errors[0].startswith("not valid YAML: ")
    assert "line 2" in info.value.errors[0]


def test_top_level_not_a_mapping():
    assert errors_of(["a", "b"]) == ["the file must be a YAML mapping at the top level, got a list"]


def test_missing_required_field():
    data = tiny()
    del data["title"]
    assert errors_of(data) == ["title: required field missing"]


def test_missing_control_field_names_path_and_id():
    data = tiny()
    del control(data)["statement"]
    assert errors_of(data) == ["areas[0].controls[0] (NET-ALLOW): statement: required field missing"]


def test_unknown_key():
    data = tiny()
    control(data)["colour"] = "red"
    assert errors_of(data) == [
        "areas[0].controls[0] (NET-ALLOW): colour: unknown key; allowed: id, title, statement, why, guidance, "
        "severity, references, owners, partners, condition, customer_part, provider_part, question"
    ]


def test_duplicate_control_id():
    data = tiny()
    control(data, 1)["id"] = "NET-ALLOW"
    assert errors_of(data) == [
        "areas[0].controls[1] (NET-ALLOW): id: duplicate control id 'NET-ALLOW' (first at areas[0].controls[0])"
    ]


def test_unknown_severity():
    data = tiny()
    control(data)["severity"] = "urgent"
    assert errors_of(data) == [
        "areas[0].controls[0] (NET-ALLOW): severity: unknown severity 'urgent'; known: critical, high, medium, low"
    ]


def test_unknown_owner_value():
    data = tiny()
    control(data, 1)["owners"]["iaas"] = "cloud"
    assert errors_of(data) == [
        "areas[0].controls[1] (NET-DDOS): owners.iaas: unknown owner 'cloud'; known: customer, provider, "
        "infrastructure, shared, none"
    ]


def test_unknown_deployment_in_owners():
    data = tiny()
    control(data)["owners"]["paas"] = "customer"
    assert errors_of(data) == [
        "areas[0].controls[0] (NET-ALLOW): owners: unknown deployment 'paas'; known: on-premises, iaas, managed"
    ]


def test_missing_deployment_in_owners():
    data = tiny()
    del control(data)["owners"]["managed"]
    assert errors_of(data) == [
        "areas[0].controls[0] (NET-ALLOW): owners: missing deployment 'managed'; every deployment needs an owner"
    ]


def test_shared_without_customer_part():
    data = tiny()
    del control(data)["customer_part"]
    assert errors_of(data) == [
        "areas[0].controls[0] (NET-ALLOW): customer_part: required because the control is shared under managed"
    ]


def test_empty_area():
    data = tiny()
    data["areas"][0]["controls"] = []
    assert errors_of(data) == ["areas[0] (network): controls: an area needs at least one control"]


def test_unquoted_version_is_explained():
    assert errors_of(tiny(version=1.0)) == ['version: must be text, got a number; quote it, e.g. "1.0"']


def test_every_error_is_reported_at_once():
    data = tiny()
    del data["title"]
    control(data)["severity"] = "urgent"
    control(data, 1)["owners"]["iaas"] = "cloud"
    assert len(errors_of(data)) == 3


def test_export_formats_load_back_to_the_same_content():
    spec = validate(tiny())
    assert parse(to_yaml(spec)).content_hash == spec.content_hash
    assert parse(to_json(spec)).content_hash == spec.content_hash


@pytest.mark.parametrize("name", ["yugabytedb-managed", "cloud-division-of-responsibility"])
def test_shipped_models_are_valid(name):
    path = Path(__file__).resolve().parent.parent / "fixtures" / f"{name}.yaml"
    assert parse(path.read_text()).slug == name


def test_yugabyte_model_covers_the_required_areas_and_size():
    spec = parse((Path(__file__).resolve().parent.parent / "fixtures" / "yugabytedb-managed.yaml").read_text())
    assert [a.key for a in spec.areas] == [
        "encryption",
        "network",
        "authentication",
        "authorization",
        "backups",
        "logging",
        "operations",
    ]
    assert len(spec.controls) >= 40
    assert all(c.references for c in spec.controls)
    assert [d.name for d in spec.deployments] == ["On-premises", "IaaS", "YugabyteDB Managed"]


# The load_model command: all or nothing, clear messages, non-zero exit.


def write(tmp_path, data) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_load_model_command_refuses_invalid_file_and_writes_nothing(db, tmp_path):
    data = tiny()
    control(data)["owners"]["paas"] = "customer"
    with pytest.raises(CommandError) as info:
        call_command("load_model", str(write(tmp_path, data)))
    assert "1 error; nothing was loaded:" in str(info.value)
    assert "owners: unknown deployment 'paas'; known: on-premises, iaas, managed" in str(info.value)
    assert ResponsibilityModel.objects.count() == 0
    assert Control.objects.count() == 0


def test_load_model_exits_non_zero_with_message_on_stderr(db, tmp_path):
    import subprocess
    import sys

    data = tiny()
    control(data)["severity"] = "urgent"
    result = subprocess.run(
        [sys.executable, "manage.py", "load_model", str(write(tmp_path, data)), "--dry-run"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode != 0
    assert "severity: unknown severity 'urgent'" in result.stderr


def test_load_model_creates_the_version(db, tmp_path):
    out = io.StringIO()
    call_command("load_model", str(write(tmp_path, tiny())), "--publish", stdout=out)
    assert out.getvalue().strip() == "Loaded tiny 1.0 (published): 1 area, 2 controls."
    model = ResponsibilityModel.objects.get(slug="tiny", version="1.0")
    assert model.status == "published"
    assert model.controls.get(control_id="NET-ALLOW").ownerships.get(deployment__key="managed").owner == "shared"


def test_load_model_twice_is_a_no_op_that_says_so(db, tmp_path):
    path = write(tmp_path, tiny())
    call_command("load_model", str(path), "--publish", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_model", str(path), "--publish", stdout=out)
    assert out.getvalue().strip() == "tiny 1.0 is already loaded with the same content; nothing to do."
    assert ResponsibilityModel.objects.count() == 1
    assert Control.objects.count() == 2


def test_changed_content_under_published_version_is_refused(db, tmp_path):
    call_command("load_model", str(write(tmp_path, tiny())), "--publish", stdout=io.StringIO())
    changed = tiny()
    control(changed)["title"] = "Renamed"
    with pytest.raises(CommandError) as info:
        call_command("load_model", str(write(tmp_path, changed)))
    assert str(info.value).endswith(
        'tiny 1.0 is published and cannot change; bump the version (e.g. version: "1.1") to load new content.'
    )
    assert ResponsibilityModel.objects.get().controls.get(control_id="NET-ALLOW").title == "Allow lists"


def test_dry_run_writes_nothing(db, tmp_path):
    out = io.StringIO()
    call_command("load_model", str(write(tmp_path, tiny())), "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Would load tiny 1.0 (draft): 1 area, 2 controls."
    assert ResponsibilityModel.objects.count() == 0


def test_a_draft_version_is_replaced_by_new_content(db, tmp_path):
    call_command("load_model", str(write(tmp_path, tiny())), stdout=io.StringIO())
    changed = tiny()
    control(changed)["title"] = "Renamed"
    call_command("load_model", str(write(tmp_path, changed)), stdout=io.StringIO())
    assert ResponsibilityModel.objects.get().controls.get(control_id="NET-ALLOW").title == "Renamed"


def test_unreadable_path(db, tmp_path):
    with pytest.raises(CommandError) as info:
        call_command("load_model", str(tmp_path / "missing.yaml"))
    assert "cannot read the file" in str(info.value)


def test_model_without_deployments_or_areas():
    assert errors_of(tiny(deployments=[], areas=[])) == [
        "deployments: a model needs at least one deployment",
        "areas: a model needs at least one area",
    ]
