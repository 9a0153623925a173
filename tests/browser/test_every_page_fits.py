"""Every page a customer (or a reviewer) can reach fits the window: 320, 390 and 1280 px wide.

The data is built once, with long titles and 60-character words that do not break, and each width
gets one browser context; the people's sessions are made once and swapped in as cookies. At every
width the document must be no wider than the window; at 390 and 1280 px axe must find nothing
serious. All failures are collected and reported together, each naming its page and width, with
the outermost elements that stick out past the window's right edge.

Set FIT_SCREENSHOTS=1 to keep a full-page screenshot of every page at every width.
"""

import os
import re
import uuid
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessment.models import Organization
from assessment.selectors.assessments import assessment_state
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from assessment.services.evidence import evidence_add_files, evidence_add_link
from tests.browser.conftest import overflow, screenshot, serious_violations, settle
from tests.conftest import answer, load_fixture, make_member, make_reviewer

WIDTHS = (320, 390, 1280)
AXE_WIDTHS = (390, 1280)
LONG_WORD = "payments-ledger-cluster-eu-west-1-primary-with-read-replicas"  # 60 characters, no space
LONG_TITLE = f"Quarterly shared responsibility check of the payments platform {LONG_WORD}"
LONG_NOTE = f"Checked with the platform team; see {LONG_WORD} and https://wiki.example.test/{LONG_WORD}"


@dataclass(frozen=True)
class Visit:
    who: str  # whose session: "visitor" (none), "owner", "newcomer" (no assessments), "reviewer"
    name: str
    path: str
    status: int = 200
    click: str = ""  # open this first (a menu), when it is on screen at this width
    shown: str = ""  # and wait until this is shown


def complete(assessment, user) -> None:
    """Answer what is still unanswered, again while answers make more controls asked."""
    while missing := assessment_state(assessment).unanswered:
        for item in missing:
            answer(assessment, user, item.control.control_id, "implemented")


def build() -> dict:
    """An organization of two members with every kind of assessment, another with none, a reviewer."""
    model = load_fixture("yugabytedb-managed-1.1")
    old_model = load_fixture("yugabytedb-managed")  # 1.0: its assessments are offered the move to 1.1
    managed, old_managed = model.deployments.get(key="managed"), old_model.deployments.get(key="managed")
    northwind = Organization.objects.create(name=f"Northwind Traders {LONG_WORD}")
    owner = make_member("olivia.featherstonehaugh@northwind-traders.test", northwind)
    member = make_member("mark@northwind-traders.test", northwind, role="member")
    newcomer = make_member("nina@solo.test", Organization.objects.create(name="Solo Ltd"))
    reviewer = make_reviewer("riley@provider.test")

    draft = assessment_start(user=owner, model=model, deployment=managed, title=LONG_TITLE, scope=LONG_NOTE)
    answer(draft, owner, "NET-ALLOW", "provider")
    answer(draft, owner, "NET-ALLOW", "provider", notes="Checked with")  # autosave while typing
    answer(draft, owner, "NET-ALLOW", "provider", notes=LONG_NOTE)
    answer(draft, member, "NET-ALLOW", "implemented", notes=LONG_NOTE)
    answer(draft, owner, "ENC-REST", "not_applicable", justification=LONG_NOTE)
    answer(draft, member, "BCK-RPO", "not_implemented", notes=LONG_WORD)
    evidence_add_files(owner, draft.pk, "NET-ALLOW", [SimpleUploadedFile(f"{LONG_WORD}.pdf", b"%PDF-1.7 a")], LONG_NOTE)
    evidence_add_link(owner, draft.pk, "NET-ALLOW", f"https://wiki.example.com/{LONG_WORD}", LONG_NOTE)

    guided = assessment_start(user=owner, model=model, deployment=managed, title="Guided: staging", mode="guided")
    answer(guided, owner, "NET-ALLOW", "provider", notes=LONG_NOTE)

    submitted = assessment_start(user=owner, model=model, deployment=managed, title=f"Submitted {LONG_WORD}")
    answer(submitted, owner, "NET-ALLOW", "provider", notes=LONG_NOTE)
    evidence_add_link(owner, submitted.pk, "NET-ALLOW", f"https://wiki.example.com/{LONG_WORD}", LONG_NOTE)
    complete(submitted, owner)
    submitted = workflow.assessment_submit(assessment=submitted, actor=owner)

    changes = assessment_start(user=member, model=model, deployment=managed, title=f"Changes requested {LONG_WORD}")
    answer(changes, member, "NET-ALLOW", "provider", notes=LONG_NOTE)
    complete(changes, member)
    changes = workflow.assessment_submit(assessment=changes, actor=member)
    changes = workflow.assessment_start_review(assessment=changes, actor=reviewer)
    for control in changes.model.controls.filter(control_id__in=["NET-ALLOW", "BCK-RPO"]):
        workflow.control_review_save(
            assessment=changes, control=control, actor=reviewer, verdict="needs_work", comment=LONG_NOTE
        )
    changes = workflow.assessment_request_changes(assessment=changes, actor=reviewer, message=LONG_NOTE)

    old = assessment_start(user=owner, model=old_model, deployment=old_managed, title=f"On 1.0 {LONG_WORD}")
    answer(old, owner, "NET-ALLOW", "implemented", notes=LONG_NOTE)

    return {
        "people": {"owner": owner, "newcomer": newcomer, "reviewer": reviewer},
        "draft": draft,
        "guided": guided,
        "submitted": submitted,
        "changes": changes,
        "old": old,
        "model": model,
    }


def visits(data: dict) -> list[Visit]:
    model = data["model"]
    matrix = f"/models/{model.slug}/{model.version}/"
    draft, guided, submitted, changes, old = (data[k].pk for k in ("draft", "guided", "submitted", "changes", "old"))
    areas = {area.key for area in model.areas.all()}
    assert {"network", "encryption", "backups"} <= areas
    return [
        Visit("visitor", "home", "/"),
        Visit("visitor", "models", "/models/"),
        Visit("visitor", "model page", matrix),
        Visit("visitor", "model page, one deployment", f"{matrix}?deployment=managed"),
        Visit("visitor", "control page", f"{matrix}controls/NET-ALLOW/"),
        Visit("visitor", "log in", "/accounts/login/"),
        Visit("visitor", "sign up", "/accounts/signup/"),
        Visit("visitor", "password reset", "/accounts/password_reset/"),
        Visit("visitor", "404 page", "/models/no-such-model/9.9/", status=404),
        Visit("newcomer", "dashboard, empty", "/assessments/"),
        Visit("owner", "home, logged in", "/"),
        Visit("owner", "dashboard", "/assessments/"),
        Visit(
            "owner",
            "dashboard, a row's menu open",
            "/assessments/",
            click=".row-actions .dropdown-toggle",
            shown=".row-actions .dropdown-menu.show",
        ),
        Visit("owner", "dashboard, main menu open", "/assessments/", click=".navbar-toggler", shown="#main-nav.show"),
        Visit("owner", "start", "/assessments/new/"),
        Visit("owner", "overview, draft", f"/assessments/{draft}/"),
        Visit("owner", "overview, changes requested", f"/assessments/{changes}/"),
        Visit("owner", "area, blind draft", f"/assessments/{draft}/areas/network/"),
        Visit("owner", "area, blind draft, not applicable", f"/assessments/{draft}/areas/encryption/"),
        Visit("owner", "area, guided", f"/assessments/{guided}/areas/network/"),
        Visit("owner", "area, read-only", f"/assessments/{submitted}/areas/network/"),
        Visit("owner", "area, changes requested", f"/assessments/{changes}/areas/network/"),
        Visit("owner", "review", f"/assessments/{draft}/review/"),
        Visit("owner", "results, draft", f"/assessments/{draft}/results/"),
        Visit("owner", "results, submitted", f"/assessments/{submitted}/results/"),
        Visit("owner", "activity", f"/assessments/{draft}/activity/"),
        Visit("owner", "activity, changes requested", f"/assessments/{changes}/activity/"),
        Visit("owner", "remediation plan", f"/assessments/{submitted}/remediation/"),
        Visit(
            "owner",
            "remediation plan, an item open",
            f"/assessments/{submitted}/remediation/",
            click=".remediation-edit > summary",
            shown=".remediation-edit[open] form",
        ),
        Visit("owner", "what's left to do", "/remediation/"),
        Visit("owner", "next round", f"/assessments/{submitted}/next-round/"),
        Visit("reviewer", "remediation plan, reviewer", f"/assessments/{submitted}/remediation/"),
        Visit("owner", "upgrade preview", f"/assessments/{old}/upgrade/"),
        Visit("owner", "delete confirmation", f"/assessments/{draft}/delete/"),
        Visit("owner", "organization", "/accounts/organization/"),
        Visit("owner", "HTML report preview", f"/assessments/{submitted}/report/"),
        Visit("owner", "404 page, logged in", f"/assessments/{uuid.uuid4()}/", status=404),
        Visit("reviewer", "admin changelist", "/admin/assessment/assessment/"),
        Visit("reviewer", "admin review page", f"/admin/assessment/assessment/{submitted}/change/"),
    ]


def session_cookies(users: dict, url: str) -> dict[str, list[dict]]:
    """Log each person in once (a session in the database), as cookies any context can take."""
    cookies = {"visitor": []}
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        value = client.cookies["sessionid"].value
        cookies[who] = [{"name": "sessionid", "value": value, "url": url}]
    return cookies


def test_every_page_fits_the_window_and_passes_axe(browser, live_server, transactional_db):
    data = build()
    pages = visits(data)
    cookies = session_cookies(data["people"], live_server.url)
    failures: list[str] = []
    for width in WIDTHS:
        # Reduced motion: no colour transition half-way through when axe measures contrast.
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 800}, reduced_motion="reduce"
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        who = None
        for visit in pages:
            if visit.who != who:
                who = visit.who
                context.clear_cookies()
                if cookies[who]:
                    context.add_cookies(cookies[who])
            label = f"{visit.name} ({visit.path}) at {width} px"
            response = page.goto(visit.path)
            if response.status != visit.status:
                failures.append(f"{label}: HTTP {response.status}, expected {visit.status}")
                continue
            if visit.click and page.locator(visit.click).first.is_visible():
                page.locator(visit.click).first.click()
                page.locator(visit.shown).first.wait_for()
                page.wait_for_function("!document.querySelector('.collapsing')")  # the menu's slide has ended
            fit = overflow(page)
            if fit["document"] > fit["window"]:
                failures.append(f"{label}: the document is {fit['document']} px wide; sticking out: {fit['culprits']}")
            if os.environ.get("FIT_SCREENSHOTS"):
                screenshot(page, f"fit-{width}-{re.sub(r'[^a-z0-9]+', '-', visit.name.lower())}")
            if width in AXE_WIDTHS:
                failures.extend(f"{label}: {violation}" for violation in serious_violations(page))
        settle(page)
        context.close()
    assert failures == [], "\n".join(failures)
