"""Authentication backend: Django's ModelBackend, loading the user's membership with the user.

Nearly every request asks which organization the user belongs to (scoping, the menu, every write):
one joined query instead of two.
"""

from django.contrib.auth.backends import ModelBackend, UserModel


class MembershipModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = UserModel._default_manager.select_related("membership").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
