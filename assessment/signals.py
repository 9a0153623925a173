"""Signal receivers, connected in `apps.AssessmentConfig.ready`.

Names are changed in the admin (and by account forms), not through a service, so the one rule that
must follow every rename lives here: a stored PDF that shows the old name is dropped.
"""

from django.db.models.signals import pre_save

from .models import Membership, User
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


def connect() -> None:
    pre_save.connect(forget_reports_showing_old_name, sender=User, dispatch_uid="forget_reports_showing_old_name")
