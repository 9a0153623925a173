"""Signal receivers, connected in `apps.AssessmentConfig.ready`.

Names are changed in the admin (and by account forms), not through a service, so the one rule that
must follow every rename lives here: a stored PDF or audit package that shows the old name is dropped.

Rows that own a file in storage (evidence, audit packages) go in many ways: removed by the
customer, replaced, moved off by a version upgrade, or with their assessment or organization
(cascades). The file goes with the row in all of them, after the commit, so a rolled-back delete
still finds its file.
"""

from django.db import transaction
from django.db.models.signals import post_delete, pre_save

from .models import AuditPackage, Evidence, Membership, User
from .services.evidence import release_stored_file
from .services.reports import reports_forget_names


def forget_reports_showing_old_name(sender, instance: User, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None or (update_fields is not None and "name" not in update_fields):
        return  # e.g. a login saves last_login only
    old = User.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    if old is None or old == instance.name:
        return
    if instance.is_staff:
        reports_forget_names()  # a reviewer's name can be on any organization's report
    else:
        reports_forget_names(
            organization_ids=Membership.objects.filter(user=instance).values_list("organization_id", flat=True)
        )


def release_evidence_file(sender, instance: Evidence, using=None, **kwargs) -> None:
    name = instance.file.name
    if name:  # deleted only once no other row (a later round's copy) refers to it
        transaction.on_commit(lambda: release_stored_file(name), using=using)


def delete_package_file(sender, instance: AuditPackage, using=None, **kwargs) -> None:
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), using=using)


def connect() -> None:
    pre_save.connect(forget_reports_showing_old_name, sender=User, dispatch_uid="forget_reports_showing_old_name")
    post_delete.connect(release_evidence_file, sender=Evidence, dispatch_uid="release_evidence_file")
    post_delete.connect(delete_package_file, sender=AuditPackage, dispatch_uid="delete_package_file")
