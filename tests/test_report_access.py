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
