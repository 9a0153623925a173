"""`manage.py bench` in cheap pieces: the model generator, the figures' verdicts, the query counting."""

import argparse
import json

import pytest
from django.core.management import CommandError, call_command

from assessment.bench import autosave, pages
from assessment.bench.client import logged_in, request_queries
from assessment.bench.data import half_answered
from assessment.bench.models import load_bench_model, model_spec
from assessment.bench.pdf import view_queries
from assessment.bench.report import OK, OVER, SKIPPED, Goal, figure, line, skipped, table, write_json
from assessment.management.commands.load_test import _seconds_range
from assessment.models import Control
from assessment.selectors.assessments import assessment_state


@pytest.mark.parametrize("size", [10, 51, 120])
def test_generated_model_has_the_controls_asked_for_and_valid_conditions(size):
    spec = model_spec(size)
    ids = [c.id for c in spec.controls]
    assert len(ids) == size
    assert len(set(ids)) == size
    assert all(c.condition.control in ids for c in spec.controls if c.condition)
    assert spec.slug == f"bench-{size}"


def test_generated_model_in_one_area_loads_and_its_area_page_shows_every_asked_control(db, org, user):
    model = load_bench_model(80, areas=1)
    assert model.areas.count() == 1
    assert Control.objects.filter(model=model).count() == 80
    assert {c.control_id for c in model.controls.all()} >= {"ENC-TLS-VERIFY", "ENC-TLS-VERIFY-2"}

    draft = half_answered(model, user, title="Bench")
    asked = [item for item in assessment_state(draft).items if item.asked]

    result = pages.cpu_figure(logged_in(user), draft, runs=1)

    assert result.status in (OK, OVER)
    assert result.details["controls_on_page"] >= len(asked) > 60  # hidden dependents are on the page too
    assert result.details["answered"] == (len(asked) + 1) // 2


def test_copies_beyond_the_source_go_into_the_source_areas(db):
    model = load_bench_model(120)
    assert list(model.areas.order_by("position").values_list("key", flat=True)) == [
        "encryption",
        "network",
        "authentication",
        "authorization",
        "backups",
        "logging",
        "operations",
    ]
    assert model.controls.filter(control_id="ENC-TLS-VERIFY-3").exists()


@pytest.mark.parametrize(
    ("goal", "value", "status"),
    [
        (Goal("<=", 3, "x"), 2.99, OK),
        (Goal("<=", 3, "x"), 3, OK),
        (Goal("<=", 3, "x"), 3.01, OVER),
        (Goal(">=", 40, " %"), 40, OK),
        (Goal(">=", 40, " %"), 39.9, OVER),
        (Goal("constant"), [9, 9, 9], OK),
        (Goal("constant"), [9, 9, 10], OVER),
    ],
)
def test_a_figure_is_ok_or_over_its_goal(goal, value, status):
    assert figure("k", "label", goal, value, shown=str(value)).status == status


def test_the_table_prints_each_figure_beside_its_goal_and_the_json_holds_them(tmp_path):
    figures = [
        figure("a", "area page CPU", Goal("<=", 3, "x"), 2.5, shown="2.50x"),
        figure("b", "autosave p95", Goal("<=", 15, " ms"), 21.0, shown="21.0 ms", note="median 9 ms"),
        skipped("c", "throughput", Goal(">=", 40, " %"), "set DATABASE_URL=postgres://…"),
    ]
    assert line(figures[0]).split() == ["area", "page", "CPU", "2.50x", "<=", "3x", "ok"]
    assert line(figures[1]).splitlines() == [line(figures[1]).splitlines()[0], "    median 9 ms"]
    assert line(figures[1]).splitlines()[0].split()[-4:] == ["<=", "15", "ms", "over"]
    assert line(figures[2]).endswith("skipped: set DATABASE_URL=postgres://…")
    assert table(figures).endswith("1 ok, 1 over, 1 skipped")

    path = write_json(figures, tmp_path, database="SQLite", quick=True)

    latest = json.loads((tmp_path / "latest.json").read_text())
    assert json.loads(path.read_text()) == latest
    assert [(f["key"], f["status"], f["goal"]["text"]) for f in latest["figures"]] == [
        ("a", OK, "<= 3x"),
        ("b", OVER, "<= 15 ms"),
        ("c", SKIPPED, ">= 40 %"),
    ]


def test_autosave_figures_count_the_queries_of_every_save(db, user, assessment):
    queries, p95 = autosave.figures(logged_in(user), assessment, runs=4, backend="SQLite")
    assert (queries.key, p95.key) == ("autosave_queries", "autosave_p95")
    assert queries.value >= 3  # at least session, user and the write: a log emptied by the request counts 0
    assert p95.value > 0
    assert assessment.answers.count() == 9  # 5 warm-up saves and 4 measured, on different controls


def test_view_queries_leave_out_the_session_and_the_user(db, user, assessment):
    client = logged_in(user)
    url = f"/assessments/{assessment.pk}/"
    request_queries(client, url)  # the published model's parts are memoized from the first view on
    whole = request_queries(client, url)
    with view_queries("assessment_detail") as counts:
        client.get(url)
    assert counts and whole - counts[0] == 2


def test_the_measuring_process_refuses_the_developers_database(db):
    with pytest.raises(CommandError, match="only on the bench database"):
        call_command("bench", "--inside")


@pytest.mark.parametrize(("text", "pace"), [("1-3", (1.0, 3.0)), ("0-0.05", (0.0, 0.05)), ("2", (2.0, 2.0))])
def test_the_load_tests_pace_reads_seconds_as_low_high(text, pace):
    assert _seconds_range(text) == pace


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "expected seconds as LOW-HIGH, e.g. 1-3, not 'abc'"),
        ("3-1", "the range must lie within 0-60 seconds, low first"),
        ("-1-2", "expected seconds as LOW-HIGH, e.g. 1-3, not '-1-2'"),
        ("0-120", "the range must lie within 0-60 seconds, low first"),
    ],
)
def test_the_load_tests_pace_refuses_what_is_not_a_range(text, message):
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        _seconds_range(text)
    assert str(refused.value) == message
