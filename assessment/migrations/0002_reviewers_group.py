"""The Reviewers group with exactly the permissions reviewing needs."""

from django.db import migrations

REVIEWER_PERMISSIONS = [
    "view_assessment",
    "change_assessment",
    "view_answer",
    "view_controlreview",
    "add_controlreview",
    "change_controlreview",
    "view_auditevent",
    "view_responsibilitymodel",
    "view_control",
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; reviewers need them now.
    app_config = apps.get_app_config("assessment")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Reviewers")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="assessment", codename__in=REVIEWER_PERMISSIONS)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
