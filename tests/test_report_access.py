"""Who may read an assessment's reports: its organization, and reviewers once it is submitted."""

import pytest

from assessment.services.workflow import assessment_submit
from tests.conftest import answer_all, make_reviewer

REPORT_URLS = ["report/", "export.csv"]


@pytest.mark.parametrize("tail", REPORT_URLS)
def test_reviewers_read_submitted_reports(client, assessment, user, tail):
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    client.force_login(make_reviewer())
    assert client.get(f"/assessments/{assessment.pk}/{tail}").status_code == 200


@pytest.mark.parametrize("tail", REPORT_URLS)
def test_reviewers_do_not_see_drafts(client, assessment, tail):
    client.force_login(make_reviewer())
    assert client.get(f"/assessments/{assessment.pk}/{tail}").status_code == 404


def test_staff_without_the_reviewer_role_get_404(client, assessment, user):
    from assessment.models import User

    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    staff = User.objects.create_user("ops@provider.test", "x-long-password-1", name="Ops", is_staff=True)
    client.force_login(staff)
    assert client.get(f"/assessments/{assessment.pk}/report/").status_code == 404


def test_reviewers_still_cannot_use_customer_pages(client, assessment, user):
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    client.force_login(make_reviewer())
    assert client.get(f"/assessments/{assessment.pk}/areas/network/").status_code == 404


@pytest.mark.parametrize("tail", ["report.pdf", *REPORT_URLS])
@pytest.mark.parametrize("superuser", [False, True], ids=["reviewer", "superuser"])
def test_reports_of_an_organization_with_several_members(client, assessment, user, org, tail, superuser):
    """The reviewer's query must not repeat the assessment once per member (it was a 500)."""
    from tests.conftest import make_member

    make_member("bob@acme.test", org, role="member")
    make_member("carol@acme.test", org, role="member")
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    client.force_login(make_reviewer(is_superuser=superuser))
    assert client.get(f"/assessments/{assessment.pk}/{tail}").status_code == 200


def test_a_reviewer_who_is_also_a_member_reads_own_drafts(client, assessment, org, user):
    from tests.conftest import answer, make_member

    answer(assessment, user, "NET-ALLOW", "implemented")  # a draft with no answer has no report at all
    colleague = make_member("dana@acme.test", org, role="member")
    colleague.is_staff = True
    colleague.save()
    colleague.groups.add(make_reviewer().groups.get())
    client.force_login(colleague)
    assert client.get(f"/assessments/{assessment.pk}/report/").status_code == 200
