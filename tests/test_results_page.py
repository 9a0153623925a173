"""The results page a customer acts on: gaps linked to their controls, filters, what is in place, good to
know, "No score yet", and the who-owns-what chart (on the page and in the PDF)."""

import io
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from assessment.models import Assessment, Organization
from assessment.reports import render
from assessment.reports.sample import sample_assessment
from assessment.selectors.assessments import assessment_state
from assessment.services.assessments import assessment_start
from tests.conftest import FIXTURES, answer, answer_all, load_fixture, make_member
from tests.htmltable import table_rows

APP_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "app.css"
CURRENT = "yugabytedb-managed-1.1"


@pytest.fixture
def current(db):
    return load_fixture(CURRENT)


@pytest.fixture
def draft(user, current):
    return assessment_start(
        user=user, model=current, deployment=current.deployments.get(key="managed"), title="Orders DB"
    )


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def results(client, assessment, query: str = "") -> str:
    response = client.get(f"/assessments/{assessment.pk}/results/{query}")
    assert response.status_code == 200
    return response.content.decode()


def gap_ids(html: str) -> list[str]:
    return re.findall(r'<article class="card mb-2 gap" id="gap-([A-Z0-9-]+)"', html)


def article(html: str, control_id: str) -> str:
    start = html.index(f'id="gap-{control_id}"')
    return html[start : html.index("</article>", start)]


def details(html: str, css_class: str) -> str:
    start = html.index(f'<details class="settled-list {css_class}">')
    return html[start : html.index("</details>", start)]


@pytest.fixture
def with_gaps(draft, user):
    """Three gaps in two areas, one met control, one not applicable, three informational findings."""
    answer(draft, user, "NET-ALLOW", "partial")  # critical -> high risk, network
    answer(draft, user, "NET-REVIEW", "not_implemented")  # medium, network
    answer(draft, user, "AUTHN-CLOUD", "provider")  # misattributed, authentication
    answer(draft, user, "AUTHN-SSO", "implemented")  # met
    answer(draft, user, "AUTHZ-LP", "not_applicable", justification="<b>Read-only</b> replica\nno users")
    answer(draft, user, "OPS-OSPATCH", "provider")  # Yugabyte: inherited
    answer(draft, user, "ENC-NODE-TLS", "implemented")  # Yugabyte: overlap
    answer(draft, user, "OPS-PHYS", "unknown")  # cloud provider: awareness
    return draft


# Gaps link to their control


def test_a_gap_title_links_to_the_control_card_in_its_area(logged_in, with_gaps):
    card = article(results(logged_in, with_gaps), "NET-ALLOW")
    target = f"/assessments/{with_gaps.pk}/areas/network/#c-NET-ALLOW"
    assert f'<a class="gap-link" href="{target}"><span class="font-monospace">NET-ALLOW</span>' in card
    area_page = logged_in.get(target.split("#")[0]).content.decode()
    assert 'id="c-NET-ALLOW"' in area_page


def test_a_gap_links_to_the_public_page_of_its_control(logged_in, client, with_gaps):
    card = article(results(logged_in, with_gaps), "AUTHN-CLOUD")
    about = "/models/yugabytedb-managed/1.1/controls/AUTHN-CLOUD/"
    assert f'<a class="about-control" href="{about}">About this control' in card
    assert "AUTHN-CLOUD" in client.get(about).content.decode()


def test_outcomes_are_labelled_in_words(logged_in, with_gaps):
    html = results(logged_in, with_gaps)
    assert '<span class="outcome small">Partly met</span>' in article(html, "NET-ALLOW")
    assert '<span class="outcome small">Unmet</span>' in article(html, "NET-REVIEW")
    assert "Misattributed: you rely on someone else, but this is yours" in article(html, "AUTHN-CLOUD")
    assert ">Partial<" not in html and "Not_applicable" not in html


# Filters


def test_without_filters_every_gap_shows_worst_first(logged_in, with_gaps):
    html = results(logged_in, with_gaps)
    assert gap_ids(html) == ["AUTHN-CLOUD", "NET-ALLOW", "NET-REVIEW"]
    assert "Showing" not in html and "Clear filters" not in html


def test_filter_by_area(logged_in, with_gaps):
    html = results(logged_in, with_gaps, "?area=network")
    assert gap_ids(html) == ["NET-ALLOW", "NET-REVIEW"]
    assert "Showing 2 of 3 gaps" in html
    assert '<option value="network" selected>Network exposure</option>' in html
    assert (
        f'<a class="btn btn-sm btn-link" href="/assessments/{with_gaps.pk}/results/#gaps-title">Clear filters</a>'
        in html
    )


def test_filter_by_risk(logged_in, with_gaps):
    html = results(logged_in, with_gaps, "?risk=high")
    assert gap_ids(html) == ["NET-ALLOW"]  # critical control, partly met: high risk
    assert "Showing 1 of 3 gaps" in html
    assert '<option value="high" selected>High</option>' in html


def test_filter_by_area_and_risk_with_nothing_left(logged_in, with_gaps):
    html = results(logged_in, with_gaps, "?area=authentication&risk=low")
    assert gap_ids(html) == []
    assert "Showing 0 of 3 gaps" in html
    assert "No gaps match these filters." in html


@pytest.mark.parametrize(
    "query",
    ["?area=nope&risk=extreme", "?area=&risk=", "?area=%3Cscript%3E", "?risk=HIGH", "?area=network%00"],
)
def test_values_that_name_nothing_are_ignored(client, user, with_gaps, query):
    client.force_login(user)
    response = client.get(f"/assessments/{with_gaps.pk}/results/{query}")
    if response.status_code == 400:  # a control character: refused before any view runs
        assert "%00" in query
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert gap_ids(html) == ["AUTHN-CLOUD", "NET-ALLOW", "NET-REVIEW"]
    assert "Showing" not in html
    assert '<option value="" selected>All areas</option>' in html
    assert '<option value="" selected>All risks</option>' in html
    assert "<script>" not in html


def test_the_filter_form_works_without_javascript(logged_in, with_gaps):
    html = results(logged_in, with_gaps)
    start = html.index('<form method="get"')
    form = html[start : html.index("</form>", start)]
    assert f'action="/assessments/{with_gaps.pk}/results/#gaps-title"' in form
    assert '<label class="form-label small mb-1" for="filter-area">Area</label>' in form
    assert '<select class="form-select form-select-sm" id="filter-area" name="area">' in form
    assert '<select class="form-select form-select-sm" id="filter-risk" name="risk">' in form
    assert '<button type="submit" class="btn btn-sm btn-outline-primary">Apply</button>' in form
    areas = re.findall(r'<option value="([a-z-]*)"', form[: form.index('id="filter-risk"')])
    assert areas == ["", "encryption", "network", "authentication", "authorization", "backups", "logging", "operations"]


def test_no_filter_form_without_gaps(logged_in, draft, user):
    answer(draft, user, "NET-ALLOW", "implemented")
    html = results(logged_in, draft)
    assert 'id="filter-area"' not in html
    assert "No gaps among your answers so far; 47 controls are still unanswered." in html


def test_other_organizations_get_404_with_filters_too(client, other_user, with_gaps):
    client.force_login(other_user)
    assert client.get(f"/assessments/{with_gaps.pk}/results/?area=network&risk=high").status_code == 404


# What is in place, and what does not apply


def test_met_controls_are_listed_collapsed(logged_in, with_gaps):
    html = results(logged_in, with_gaps)
    met = details(html, "met-list")
    assert "<summary>What is in place (1)</summary>" in met
    assert f'href="/assessments/{with_gaps.pk}/areas/authentication/#c-AUTHN-SSO"' in met
    assert "open" not in met.split(">")[0]


def test_not_applicable_controls_are_listed_with_their_justification_escaped(logged_in, with_gaps):
    na = details(results(logged_in, with_gaps), "na-list")
    assert "<summary>Not applicable (1)</summary>" in na
    assert f'href="/assessments/{with_gaps.pk}/areas/authorization/#c-AUTHZ-LP"' in na
    assert "<strong>Why it does not apply:</strong> &lt;b&gt;Read-only&lt;/b&gt; replica<br>no users" in na
    assert "<b>Read-only</b>" not in na


# Good to know


def test_good_to_know_says_what_its_rows_are_and_what_each_means(logged_in, with_gaps):
    html = results(logged_in, with_gaps)
    assert (
        "Controls that Yugabyte or Cloud provider handles under YugabyteDB Managed, with what you answered. "
        "None of them is a gap, so there is nothing to fix; each row says what your answer means."
    ) in html
    rows = dict(
        re.findall(
            r'<li class="good-to-know-row" id="info-([A-Z-]+)">.*?</span>\s*<p class="small mb-0">(.*?)</p>', html, re.S
        )
    )
    assert rows == {
        "OPS-OSPATCH": "You answered “Someone else does (provider or cloud)”. "
        "Inherited: you rely on Yugabyte, as the model says.",
        "ENC-NODE-TLS": "You answered “We do, fully”. "
        "Overlap: Yugabyte handles this and you add your own measure on top, which does no harm.",
        "OPS-PHYS": "You answered “We don&#x27;t know”. "
        "Awareness: you did not know who does this, and Cloud provider does it, so nothing is missing.",
    }
    assert "handled by Cloud provider</span>" in html


def test_good_to_know_before_anything_handled_for_you_is_answered(logged_in, draft, user):
    answer(draft, user, "NET-ALLOW", "not_implemented")
    html = results(logged_in, draft)
    assert (
        "Controls that Yugabyte or Cloud provider handles under YugabyteDB Managed appear here once you answer "
        "them. They are never gaps."
    ) in html


def test_good_to_know_on_premises_has_nothing_handled_for_you(logged_in, user, current):
    onprem = assessment_start(
        user=user, model=current, deployment=current.deployments.get(key="on-premises"), title="DC"
    )
    answer(onprem, user, "NET-ALLOW", "implemented")
    assert "Under On-premises every control is yours or shared, so none is handled for you." in results(
        logged_in, onprem
    )


# No answers yet


def test_an_empty_draft_shows_no_score_yet_and_where_to_start(logged_in, draft):
    html = results(logged_in, draft)
    assert '<h2 class="h4" id="no-score-title">No score yet</h2>' in html
    assert (
        f'<a class="btn btn-primary" href="/assessments/{draft.pk}/areas/encryption/">Start answering: Encryption</a>'
        in (html)
    )
    assert "overall-score" not in html and "0%" not in html and "n/a" not in html
    assert "<strong>Preview.</strong>" not in html


def test_one_answer_brings_the_score_back(logged_in, draft, user):
    answer(draft, user, "NET-ALLOW", "implemented")
    html = results(logged_in, draft)
    assert "No score yet" not in html
    assert 'class="display-4 fw-semibold mb-0 overall-score"' in html


# Who owns what


def independent_counts(fixture: str, deployment: str) -> dict[str, Counter]:
    """Area title -> owner -> number of controls asked with nothing answered: owner not none, no condition."""
    data = yaml.safe_load((FIXTURES / f"{fixture}.yaml").read_text())
    counts = {}
    for area in data["areas"]:
        owners = Counter(
            c["owners"][deployment]
            for c in area["controls"]
            if c["owners"][deployment] != "none" and "condition" not in c
        )
        if owners:
            counts[area["title"]] = owners
    return counts


def chart_rows(html: str) -> list[list[str]]:
    """The chart table's rows of text (the decorative bar rows have none)."""
    return [row for row in table_rows(html, "ownership-chart") if any(row)]


def chart_bars(html: str) -> dict[str, list[tuple[str, Decimal, Decimal, str]]]:
    """Area title -> the bar's rects as (owner, x, width, fill)."""
    bars = {}
    for group in re.findall(r'<tbody class="oc-group">(.*?)</tbody>', html, re.S):
        title = re.search(r'<th scope="row" class="fw-normal">([^<]+)</th>', group).group(1)
        rects = re.findall(
            r'<rect x="([\d.]+)" width="([\d.]+)" height="2" fill="(#[0-9a-f]{6})" data-owner="(\w+)"/>', group
        )
        bars[title] = [(owner, Decimal(x), Decimal(width), fill) for x, width, fill, owner in rects]
    return bars


def css_palette() -> dict[str, str]:
    return dict(re.findall(r"--owner-(\w+): (#[0-9a-f]{6});", APP_CSS.read_text()))


def test_chart_counts_equal_an_independent_count_of_the_model_file(logged_in, draft, user):
    answer(draft, user, "NET-ALLOW", "implemented")  # no condition depends on it
    html = results(logged_in, draft)
    expected = independent_counts(CURRENT, "managed")
    rows = chart_rows(html)
    keys = ["customer", "shared", "provider", "infrastructure"]
    assert rows[0] == ["Area", "Customer", "Shared", "Yugabyte", "Cloud provider", "Total"]
    body = {row[0]: [int(n) for n in row[1:]] for row in rows[1:-1]}
    assert body == {title: [c[k] for k in keys] + [sum(c.values())] for title, c in expected.items()}
    totals = sum(expected.values(), Counter())
    assert rows[-1] == ["All areas", *(str(totals[k]) for k in keys), str(sum(totals.values()))]
    assert "Who holds the 48 controls asked under YugabyteDB Managed" in html


def test_chart_bars_are_drawn_to_scale_in_the_owner_palette(logged_in, draft, user):
    answer(draft, user, "NET-ALLOW", "implemented")
    bars = chart_bars(results(logged_in, draft))
    expected = independent_counts(CURRENT, "managed")
    widest = max(sum(c.values()) for c in expected.values())
    palette = css_palette()
    assert set(bars) == set(expected)
    for title, rects in bars.items():
        counts = expected[title]
        assert [owner for owner, *_ in rects] == [
            k for k in ("customer", "shared", "provider", "infrastructure") if counts[k]
        ]
        x = Decimal(0)
        for owner, left, width, fill in rects:
            share = Decimal(counts[owner] * 100) / widest
            assert abs(left - x) <= Decimal("0.01")
            assert share - Decimal("0.41") <= width <= share + Decimal("0.005")  # a thin white gap in between
            assert fill == palette[owner]
            x += share
    assert 'aria-hidden="true"><td colspan="6"><svg' in results(logged_in, draft)


def test_chart_leaves_out_owners_that_hold_nothing(logged_in, user, current):
    onprem = assessment_start(
        user=user, model=current, deployment=current.deployments.get(key="on-premises"), title="DC"
    )
    answer(onprem, user, "NET-ALLOW", "implemented")
    rows = chart_rows(results(logged_in, onprem))
    assert rows[0] == ["Area", "Customer", "Total"]
    assert "Yugabyte" not in " ".join(" ".join(row) for row in rows)


def test_chart_counts_a_cloud_run_by_the_provider_once(logged_in, user, cloud_model):
    paas = assessment_start(user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="P")
    answer(paas, user, "DATA-ACCESS", "implemented")
    rows = chart_rows(results(logged_in, paas))
    assert rows[0] == ["Area", "Customer", "Cloud provider", "Total"]
    assert rows[-1] == ["All areas", "1", "8", "9"]


def test_an_svg_is_decoration_and_the_page_has_no_inline_style(logged_in, with_gaps):
    html = results(logged_in, with_gaps)
    chart = html[html.index('<table class="table table-sm align-middle ownership-chart">') :]
    chart = chart[: chart.index("</table>")]
    assert chart.count("<svg") == chart.count('aria-hidden="true"')
    assert "style=" not in html and "<style" not in html


# The PDF


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker):
    """One rendered PDF of the sample assessment (every control answered), and its state's chart figures."""
    from django.db import transaction

    from assessment.selectors.ownership import ownership_counts

    with django_db_blocker.unblock(), transaction.atomic():
        sample = sample_assessment(model=load_fixture(CURRENT), status=Assessment.Status.DRAFT, email_prefix="oc")
        assessment = Assessment.objects.select_related("model", "deployment", "organization").get(pk=sample.pk)
        state = assessment_state(assessment)
        counts = ownership_counts(state)
        result = {
            "pdf": render.render_pdf(state).pdf,
            "owners": [owner.name for owner in counts.owners],
            "areas": [(row.area.title, list(row.counts), row.total) for row in counts.areas],
            "totals": list(counts.totals),
            "total": counts.total,
        }
        transaction.set_rollback(True)
    return result


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.mark.django_db  # so the test database is set up even when this test runs alone
def test_the_pdf_shows_the_chart_in_who_owns_what(report):
    assert report["owners"] == ["Customer", "Shared", "Yugabyte", "Cloud provider"]
    text = pdf_text(report["pdf"])
    head = " ".join(["AREA", *(name.upper() for name in report["owners"]), "TOTAL"])  # thead is upper case in print
    start = text.index(head)
    assert text.rfind("2 Who owns what", 0, start) > text.rfind("1 Executive summary", 0, start)
    chart = text[start : text.index("All areas", start) + 40]
    for title, counts, total in report["areas"]:
        assert f"{title} {' '.join(map(str, counts))} {total}" in chart
    assert f"All areas {' '.join(map(str, report['totals']))} {report['total']}" in chart


def test_a_new_chart_layout_misses_old_cached_pdfs():
    assert "assessment/includes/ownership_chart.html" in render.LAYOUT_TEMPLATES


# Queries


def answer_mixed(assessment, user):
    claims = ["implemented", "partial", "provider", "not_implemented", "unknown", "not_applicable"]
    for index, item in enumerate(assessment_state(assessment).items):
        claim = claims[index % len(claims)]
        answer(assessment, user, item.control.control_id, claim, notes="n", justification="Not used here")


def test_query_count_does_not_grow_with_the_number_of_controls(client, db, cloud_model, current):
    counts = []
    for name, model, deployment in (("small", cloud_model, "iaas"), ("large", current, "managed")):
        member = make_member(f"{name}@acme.test", Organization.objects.create(name=name))
        assessment = assessment_start(
            user=member, model=model, deployment=model.deployments.get(key=deployment), title=name
        )
        answer_mixed(assessment, member)
        client.force_login(member)
        client.get(f"/assessments/{assessment.pk}/results/")  # warm: session and content types
        with CaptureQueriesContext(connection) as queries:
            html = results(client, assessment, "?area=&risk=high")
        assert len(re.findall(r"<tr>", html)) > 0
        counts.append((len(queries), len(assessment_state(assessment).items)))
    (small, small_controls), (large, large_controls) = counts
    assert small_controls < 10 < 40 < large_controls
    assert small == large


def test_the_completed_page_says_no_gaps(logged_in, draft, user):
    answer_all(draft, user)
    answer_all(draft, user)  # the controls the first answers switched on
    html = results(logged_in, draft)
    assert "No gaps. Every control that is yours is in place" in html
    assert "<summary>What is in place (" in html
