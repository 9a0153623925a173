"""Create the demo accounts and demo content (development only) and print how to log in."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from assessment.demo import seed_content
from assessment.models import Membership, Organization, User

DEMO_ACCOUNTS = (
    # email, password, name, role
    ("admin@example.com", "demo-admin-2026", "Demo Admin", "admin"),
    ("customer@example.com", "demo-customer-2026", "Casey Customer", "customer"),
    ("reviewer@example.com", "demo-reviewer-2026", "Riley Reviewer", "reviewer"),
)
DEMO_ORGANIZATION = "Demo Customer Inc."


class Command(BaseCommand):
    help = (
        "Create the demo superuser, customer and reviewer and the demo customer's assessments when absent "
        "(refused when DEBUG is off)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with published passwords; it never runs when DEBUG is off.")
        # The notifications the demo's submissions and decisions send would only fill the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            created = self._seed()
        for line in created:
            self.stdout.write(f"Demo content: {line}")
        self.stdout.write(
            "As the customer: the dashboard, round 1's results, PDF and remediation plan, and the draft. "
            "As the reviewer: round 2 in the review queue, with its evidence."
        )

    @transaction.atomic
    def _seed(self) -> list[str]:
        for email, password, name, role in DEMO_ACCOUNTS:
            if User.objects.filter(email=email).exists():
                continue
            if role == "admin":
                User.objects.create_superuser(email, password, name=name)
            elif role == "reviewer":
                user = User.objects.create_user(email, password, name=name, is_staff=True)
                user.groups.add(Group.objects.get(name="Reviewers"))
            else:
                user = User.objects.create_user(email, password, name=name)
                organization, _ = Organization.objects.get_or_create(name=DEMO_ORGANIZATION)
                Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(
            f"Demo logins (customers log in at {site}/accounts/login/; the reviewer and admin at {site}/admin/):"
        )
        for email, password, _name, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<9} {email} / {password}")
        customer = User.objects.get(email="customer@example.com")
        reviewer = User.objects.get(email="reviewer@example.com")
        return seed_content(customer.membership.organization, customer, reviewer)
