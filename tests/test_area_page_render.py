"""The area page's cards (assessment/cards.py): a fixed number of queries, memoized model parts that
never leak to another version, deployment or mode, user text escaped, and errors after a failed save."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.modelfile import validate
from assessment.models import Answer, Assessment, ControlReview
from assessment.services.assessments import assessment_start
from assessment.services.catalog import model_load
from assessment.services.evidence import evidence_add_files, evidence_add_link
from tests.conftest import answer, make_member

ODD = "<script>alert('x')</script> & “curly” \"straight\" 'single' — ünïcødé 𝕏 {braces} {{ t }} {% t %}"


def control(cid, owners, **extra):
    return {
        "id": cid,
        "title": f"{cid} title",
        "statement": f"{cid} is taken care of.",
        "why": f"{cid} matters.",
        "guidance": f"Do {cid}.",
        "severity": "high",
        "owners": owners,
        **extra,
    }


def model_data(controls, *, version="1.0", slug="cards"):
    return {
        "slug": slug,
        "version": version,
        "title": "Cards demo",
        "description": "For the area page.",
        "parties": {"customer": "Customer", "provider": "Yugabyte", "infrastructure": "Cloud provider"},
        "deployments": [{"key": "self-hosted", "name": "Self-hosted"}, {"key": "managed", "name": "Managed"}],
        "areas": [{"key": "main", "title": "Main", "controls": controls}],
    }


def load(data):
    return model_load(spec=validate(data), publish=True).model


def start(user, model, deployment="managed", mode="blind"):
    return assessment_start(
        user=user, model=model, deployment=model.deployments.get(key=deployment), title="Cards", mode=mode
    )


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def area(client, assessment, key="main"):
    return client.get(f"/assessments/{assessment.pk}/areas/{key}/")


def card(html: str, cid: str) -> str:
    """One control's card out of the page."""
    match = re.search(rf'<section class="card control-card[^"]*" id="c-{cid}".*?</section>', html, re.S)
    assert match, f"no card {cid}"
    return match.group(0)


# Queries


def sized(n: int, slug: str) -> dict:
    owners = ["customer", "shared", "provider", "infrastructure"]
    controls = []
    for i in range(n):
        extra = {"customer_part": "Yours.", "provider_part": "Ours."} if owners[i % 4] == "shared" else {}
        if i % 7 == 6:
            extra["condition"] = {"control": f"C-{i - 1}", "answers": ["implemented"]}
        controls.append(control(f"C-{i}", {"self-hosted": "customer", "managed": owners[i % 4]}, **extra))
    return model_data(controls, slug=slug)


def test_query_count_does_not_grow_with_the_controls_of_the_area(logged_in, user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    counts = {}
    for n in (10, 80, 200):
        assessment = start(user, load(sized(n, f"sized-{n}")), mode="guided" if n == 80 else "blind")
        for i in range(0, n, 2):
            answer(assessment, user, f"C-{i}", "implemented", notes="n")
        for i in range(0, n, 5):  # evidence on a fifth of the controls: files, and links on every other
            pdf = SimpleUploadedFile(f"C-{i}.pdf", b"%PDF-1.4 evidence")
            evidence_add_files(user, assessment.pk, f"C-{i}", [pdf], "signed")
            if i % 2:
                evidence_add_link(user, assessment.pk, f"C-{i}", f"https://wiki.example/{i}", "runbook")
        with CaptureQueriesContext(connection) as first:
            assert area(logged_in, assessment).status_code == 200
        with CaptureQueriesContext(connection) as again:  # the model's parts now come from the memo
            html = area(logged_in, assessment).content.decode()
        assert html.count('class="card control-card') == n
        assert html.count('class="evidence-item"') == len(range(0, n, 5)) + len(range(5, n, 10))
        counts[n] = (len(first), len(again))
    # Constant whatever the size; the second view reads the model's parts from the memo instead.
    assert len(set(counts.values())) == 1, counts
    assert counts[10][1] == counts[10][0] - 2, counts  # the asked controls and the areas


def test_the_evidence_query_runs_only_once_the_assessment_has_evidence(logged_in, user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assessment = start(user, load(sized(10, "sized-evidence")))
    area(logged_in, assessment)  # the model's parts into the memo
    with CaptureQueriesContext(connection) as without:
        html = area(logged_in, assessment).content.decode()
    assert html.count("No evidence yet.") == 10
    evidence_add_link(user, assessment.pk, "C-3", "https://wiki.example/backups", "runbook")
    with CaptureQueriesContext(connection) as with_one:
        html = area(logged_in, assessment).content.decode()
    assert html.count("No evidence yet.") == 9
    assert 'href="https://wiki.example/backups"' in card(html, "C-3")
    # The page's evidence query (the read of the assessment holds an EXISTS on the table either way).
    reads = [
        [q for q in c.captured_queries if q["sql"].startswith('SELECT "assessment_evidence".')]
        for c in (without, with_one)
    ]
    assert (len(reads[0]), len(reads[1])) == (0, 1)
    assert len(with_one) == len(without) + 1


# The memo never serves another deployment, version or mode


@pytest.fixture
def two_owners(db):
    """X is the customer's when self-hosted and Yugabyte's when managed, with a guidance of each's own."""
    guidance = {"common": "Check X.", "self-hosted": "Run the X job yourself.", "managed": "Yugabyte runs X."}
    return load(model_data([control("X", {"self-hosted": "customer", "managed": "provider"}, guidance=guidance)]))


def test_each_deployment_shows_its_own_owner_and_guidance(logged_in, user, two_owners):
    managed = start(user, two_owners, "managed", mode="guided")
    answer(managed, user, "X", "implemented")  # answered: not folded into "Acknowledge all"
    self_hosted = start(user, two_owners, "self-hosted", mode="guided")
    for _ in range(2):  # the second time from the memo
        mine = card(area(logged_in, self_hosted).content.decode(), "X")
        theirs = card(area(logged_in, managed).content.decode(), "X")
        assert "Under Self-hosted, this is yours." in mine and "Run the X job yourself." in mine
        assert "Yugabyte" not in mine
        assert "Under Managed, Yugabyte handles this." in theirs and "Yugabyte runs X." in theirs
        assert "Run the X job yourself." not in theirs and "this is yours" not in theirs


def test_blind_mode_shows_no_owner_part_or_guidance_until_answered(logged_in, user, two_owners):
    guided = start(user, two_owners, "managed", mode="guided")
    answer(guided, user, "X", "implemented")
    area(logged_in, guided)  # fills the memo with the managed reveal
    blind = start(user, two_owners, "managed")
    html = area(logged_in, blind).content.decode()
    x = card(html, "X")
    for hidden in ("Yugabyte", "handles this", "yours", "Check X.", "Yugabyte runs X.", "reveal-box", "owner-"):
        assert hidden not in x, hidden
    answer(blind, user, "X", "provider")
    x = card(area(logged_in, blind).content.decode(), "X")
    assert "Under Managed, Yugabyte handles this." in x
    assert "You said someone else does it: right, you inherit it from Yugabyte." in x
    assert "Check X.<br><br>Yugabyte runs X." in x


def test_a_new_version_of_the_model_shows_its_own_texts(logged_in, user):
    old = load(model_data([control("X", {"self-hosted": "customer", "managed": "customer"})]))
    fixed = control("X", {"self-hosted": "customer", "managed": "customer"}, title="X corrected", why="Now clear.")
    new = load(model_data([fixed], version="1.1"))
    on_old, on_new = start(user, old), start(user, new)
    for _ in range(2):
        x_old = card(area(logged_in, on_old).content.decode(), "X")
        x_new = card(area(logged_in, on_new).content.decode(), "X")
        assert "</span> X title</h3>" in x_old and "X matters." in x_old
        assert "</span> X corrected</h3>" in x_new and "Now clear." in x_new and "X matters." not in x_new


def test_guided_mode_folds_what_others_handle_and_warns_on_a_contradiction(logged_in, user, two_owners):
    guided = start(user, two_owners, "managed", mode="guided")
    html = area(logged_in, guided).content.decode()
    assert 'id="g-provider">Yugabyte handles this one under Managed</h3>' in html
    assert 'name="acknowledge" value="provider">Acknowledge</button>' in html
    assert re.search(r'<details class="acknowledge-item"><summary>.*?X</span> X title</summary>\s*<section', html, re.S)
    answer(guided, user, "X", "provider")
    x = card(area(logged_in, guided).content.decode(), "X")
    assert 'class="reveal-box reveal-success">' in x and "Check this answer" not in x
    answer(guided, user, "X", "implemented")
    x = card(area(logged_in, guided).content.decode(), "X")
    assert 'class="reveal-box reveal-info contradicts"' in x
    assert "Check this answer: it names another owner than the model does." in x


# What a card shows of the answer


def test_saved_answers_show_checked_with_their_text_escaped(logged_in, user, org):
    model = load(
        model_data(
            [
                control("A", {"self-hosted": "customer", "managed": "customer"}, title="Use {braces} & <b>"),
                control("B", {"self-hosted": "customer", "managed": "customer"}),
                control(
                    "C",
                    {"self-hosted": "customer", "managed": "customer"},
                    condition={"control": "A", "answers": ["partial"]},
                ),
            ]
        )
    )
    assessment = start(user, model)
    odd_name = make_member("odd@acme.test", org)
    odd_name.name = "<i>Odd</i> “Name”"
    odd_name.save()
    answer(assessment, odd_name, "A", "implemented", notes=ODD)
    answer(assessment, user, "B", "not_applicable", justification=ODD)
    Answer.objects.filter(control__control_id="B").update(owner_changed=True, remediated=True)
    html = area(logged_in, assessment).content.decode()
    assert "<script>" not in html.split("</main>")[0] and "<i>Odd</i>" not in html
    a, b, c = card(html, "A"), card(html, "B"), card(html, "C")
    escaped = (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; “curly” &quot;straight&quot; &#x27;single&#x27; — "
        "ünïcødé 𝕏 {braces} {{ t }} {% t %}"
    )
    assert f'id="id_A-notes" rows="2" maxlength="5000" aria-describedby="e-A-notes">{escaped}</textarea>' in a
    assert f'aria-describedby="e-B-justification">{escaped}</textarea>' in b
    assert "</span> Use {braces} &amp; &lt;b&gt;</h3>" in a
    assert 'id="id_A-claim_0" value="implemented" aria-describedby="e-A-claim" checked>' in a
    assert a.count(" checked>") == 1 and 'name="A-version" value="1"' in a
    assert "by &lt;i&gt;Odd&lt;/i&gt; “Name”</span>" in a
    assert 'class="card control-card mb-3 owner-changed" id="c-B"' in b
    assert "The owner of this control changed in this model version" in b and "remediated-note" in b
    assert 'data-condition-control="A" data-condition-answers="partial" hidden>' in c
    assert "Asked when the answer to A (Use {braces} &amp; &lt;b&gt;) is “We do, partly”." in c
    assert f'data-url="/assessments/{assessment.pk}/answers/C/"' in c
    assert 'name="C-version" value="0"' in c and " checked>" not in c and "Last saved" not in c


def test_reviewer_comments_needs_work_first_and_read_only_when_submitted(logged_in, user, two_owners):
    model = load(model_data([control(c, {"self-hosted": "customer", "managed": "customer"}) for c in "PQR"], slug="rv"))
    assessment = start(user, model)
    for cid in "PQR":
        answer(assessment, user, cid, "implemented")
    Assessment.objects.filter(pk=assessment.pk).update(status="changes_requested", submitted_at=timezone.now())
    ControlReview.objects.create(
        assessment=assessment,
        control=model.controls.get(control_id="R"),
        verdict="needs_work",
        comment="Fix <this>\nnow",
    )
    ControlReview.objects.create(
        assessment=assessment, control=model.controls.get(control_id="Q"), verdict="accepted", comment=""
    )
    html = area(logged_in, assessment).content.decode()
    assert html.index('id="c-R"') < html.index('id="c-P"') < html.index('id="c-Q"')  # flagged first
    assert 'class="card control-card mb-3 needs-work" id="c-R"' in html
    assert (
        '<div class="alert alert-warning py-2 small review-comment" role="note"><strong>Reviewer (needs work):</strong> '
        "Fix &lt;this&gt;<br>now</div>"
    ) in card(html, "R")
    assert "review-comment" not in card(html, "Q")  # accepted without a comment: nothing to say
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    p = card(area(logged_in, assessment).content.decode(), "P")
    assert '<fieldset class="mb-2" disabled>' in p
    assert '<div class="col-md-6 justification" hidden>' in p


def test_a_failed_save_shows_each_error_at_its_field_and_keeps_what_was_typed(logged_in, user, two_owners):
    model = load(model_data([control(c, {"self-hosted": "customer", "managed": "customer"}) for c in "DEF"], slug="pf"))
    assessment = start(user, model)
    answer(assessment, user, "F", "implemented", notes="first")
    answer(assessment, user, "F", "implemented", notes="second")  # version 2
    response = logged_in.post(
        f"/assessments/{assessment.pk}/areas/main/",
        {"D-notes": ODD, "E-claim": "not_applicable", "F-claim": "partial", "F-version": "1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There are problems with answers on this page" in html
    assert '<a href="#id_D-claim_0"><span class="text-nowrap font-monospace">D</span> D title: Choose an answer' in html
    d, e = card(html, "D"), card(html, "E")
    assert 'class="form-check-input is-invalid" type="radio" name="D-claim" id="id_D-claim_0"' in d
    assert 'aria-describedby="e-D-claim" aria-invalid="true">' in d
    assert 'data-error-for="claim">Choose an answer so your notes can be saved.</div>' in d
    assert ">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; “curly”" in d  # what was typed, escaped
    assert 'id="id_E-claim_5" value="not_applicable" aria-describedby="e-E-claim" checked>' in e
    assert 'class="form-control form-control-sm is-invalid" name="E-justification"' in e
    assert 'aria-describedby="e-E-justification" aria-invalid="true">' in e
    assert Answer.objects.filter(assessment=assessment).count() == 1  # nothing of this save was stored
    # Only the stale version left: the conflict is shown on its card, with the current answer.
    response = logged_in.post(f"/assessments/{assessment.pk}/areas/main/", {"F-claim": "partial", "F-version": "1"})
    assert response.status_code == 400
    f = card(response.content.decode(), "F")
    assert '<div class="alert alert-danger py-2 small conflict" role="alert">' in f
    assert "Current answer: “We do, fully”; notes: “second”." in f
    assert 'name="F-version" value="1"' in f  # the posted version, as the form had it
