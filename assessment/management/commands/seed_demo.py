"""Create the demo accounts (development only) and print how to log in."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessment.models import Membership, Organization, User

DEMO_ACCOUNTS = (
    # email, password, name, role
    ("admin@example.com", "demo-admin-2026", "Demo Admin", "admin"),
    ("customer@example.com", "demo-customer-2026", "Casey Customer", "customer"),
    ("reviewer@example.com", "demo-reviewer-2026", "Riley Reviewer", "reviewer"),
)
DEMO_ORGANIZATION = "Demo Customer Inc."


class Command(BaseCommand):
    help = "Create the demo superuser, customer and reviewer when absent (refused when DEBUG is off)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with published passwords; it never runs when DEBUG is off.")
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
