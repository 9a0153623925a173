"""Synthetic responsibility models of any size, derived from the shipped YugabyteDB Managed file.

The controls of `fixtures/yugabytedb-managed-1.1.yaml` are taken in file order and repeated as
numbered copies ("ENC-TLS-VERIFY-2", …) until there are as many as asked for, so a bigger model
has the same mix of owners, severities, texts and conditions as the real one. A copy's condition
names the same copy of its control; when that control is not in the model, the condition is
dropped. The result goes through `modelfile.parse`, exactly like a file a model author loads.
"""

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

from ..modelfile import ModelSpec, parse
from ..models import ResponsibilityModel
from ..services.catalog import model_load

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "yugabytedb-managed-1.1.yaml"


@cache
def _source() -> dict:
    return yaml.safe_load(SOURCE.read_text())


def bench_slug(controls: int, areas: int | None = None) -> str:
    return f"bench-{controls}" + (f"-in-{areas}-area{'s' if areas != 1 else ''}" if areas else "")


def model_data(controls: int, *, areas: int | None = None) -> dict:
    """A model file's data with `controls` controls: in the source's areas, or spread over `areas` areas."""
    if controls < 1:
        raise ValueError("a model needs at least one control")
    source = _source()
    flat = [(i, control) for i, area in enumerate(source["areas"]) for control in area["controls"]]
    picked = []  # (source area index, copy number, control data)
    for n in range(controls):
        area_index, control = flat[n % len(flat)]
        picked.append((area_index, n // len(flat), control))
    ids = {_copy_id(control["id"], copy) for _, copy, control in picked}

    def copy_of(control: dict, copy: int) -> dict:
        data = {**control, "id": _copy_id(control["id"], copy)}
        if copy:
            data["title"] = f"{control['title']} (set {copy + 1})"
        condition = control.get("condition")
        if condition:
            named = _copy_id(condition["control"], copy)
            if named in ids:
                data["condition"] = {**condition, "control": named}
            else:
                del data["condition"]
        return data

    if areas is None:
        buckets = [[] for _ in source["areas"]]
        for area_index, copy, control in picked:
            buckets[area_index].append(copy_of(control, copy))
        area_data = [
            {**area, "controls": bucket} for area, bucket in zip(source["areas"], buckets, strict=True) if bucket
        ]
    else:
        if not 1 <= areas <= controls:
            raise ValueError("areas must be between 1 and the number of controls")
        buckets = [[] for _ in range(areas)]
        for n, (_, copy, control) in enumerate(picked):
            buckets[n * areas // controls].append(copy_of(control, copy))  # contiguous runs keep conditions near
        area_data = [
            {
                "key": f"part-{i + 1}",
                "title": f"Part {i + 1}",
                "description": f"Controls {i * controls // areas + 1} to {(i + 1) * controls // areas}.",
                "controls": bucket,
            }
            for i, bucket in enumerate(buckets)
        ]
    where = f"in {areas} area{'s' if areas != 1 else ''}" if areas else "in the source's areas"
    return {
        **source,
        "slug": bench_slug(controls, areas),
        "version": "1.0",
        "title": f"Bench model: {controls} controls",
        "description": f"Synthetic benchmark model: {controls} controls of {SOURCE.name}, {where}.",
        "areas": area_data,
    }


def _copy_id(control_id: str, copy: int) -> str:
    return control_id if copy == 0 else f"{control_id}-{copy + 1}"


class _Dumper(yaml.SafeDumper):
    """Writes values the copies share in full: model files refuse anchors and aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def model_yaml(controls: int, *, areas: int | None = None) -> str:
    data = model_data(controls, areas=areas)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def model_spec(controls: int, *, areas: int | None = None) -> ModelSpec:
    """The generated model as the loader sees it (raises `ModelFileError` if it were invalid)."""
    return parse(model_yaml(controls, areas=areas))


def load_bench_model(controls: int, *, areas: int | None = None) -> ResponsibilityModel:
    """Generate, validate and load (published) a model of `controls` controls."""
    return model_load(spec=model_spec(controls, areas=areas), publish=True).model


def load_fixture(name: str) -> ResponsibilityModel:
    """One of the shipped model files, loaded and published (the bench database starts empty)."""
    path = Path(settings.BASE_DIR) / "fixtures" / name
    return model_load(spec=parse(path.read_text()), publish=True).model
