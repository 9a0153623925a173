"""Arbitrary bodies posted to the autosave endpoint: a 2xx or a 4xx with a message, never a 500.

And whatever it acknowledges with 200 is exactly what is stored.
"""

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.models import Answer
from assessment.models.assessments import Claim

CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8",
        "application/x-www-form-urlencoded; charset=latin-1",
        "application/x-www-form-urlencoded; charset=nonsense",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "application/json",
        "text/plain",
        "",
    ]
)
TEXT = st.text(st.characters(codec="utf-8"), max_size=60) | st.sampled_from(["", "\x00", "a\r\nb", "x" * 5001])
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "claim": st.sampled_from(Claim.values) | TEXT,
        "notes": TEXT,
        "justification": TEXT,
        "version": st.integers(-(10**30), 10**30).map(str) | TEXT,
    },
)
BODIES = FIELDS.map(lambda fields: urlencode(fields).encode()) | st.binary(max_size=200)
SLOW_OK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW_OK
@given(content_type=CONTENT_TYPES, body=BODIES)
def test_autosave_never_fails_on_any_body(client, assessment, user, content_type, body):
    client.force_login(user)
    client.raise_request_exception = False
    response = client.generic(
        "POST", f"/assessments/{assessment.pk}/answers/NET-ALLOW/", body, content_type=content_type
    )
    assert response.status_code in {200, 400, 409, 415}, response.content[:300]
    data = response.json()
    if response.status_code == 200:
        assert data["ok"] is True
        stored = Answer.objects.get(assessment=assessment, control__control_id="NET-ALLOW")
        assert stored.version == data["version"]
    elif response.status_code == 409:
        assert data["conflict"] is True and data["current"]["version"] >= 1
    else:
        assert data["ok"] is False and data["message"].startswith("Not saved — ")
