from django.contrib.auth import views as auth_views
from django.urls import include, path

from .forms.accounts import LoginForm, RateLimitedPasswordResetForm
from .views import accounts, assessments, catalog, evidence, remediation, results, rounds, upgrade

account_patterns = [
    path("signup/", accounts.signup, name="signup"),
    path("organization/", accounts.organization, name="organization"),
    path("invitations/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=RateLimitedPasswordResetForm),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
]

assessment_patterns = [
    path("", assessments.assessment_list, name="assessment_list"),
    path("new/", assessments.assessment_new, name="assessment_new"),
    path("<uuid:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("<uuid:pk>/areas/<slug:area_key>/", assessments.assessment_area, name="assessment_area"),
    path("<uuid:pk>/answers/<str:control_id>/", assessments.answer_autosave, name="answer_autosave"),
    path("<uuid:pk>/review/", assessments.assessment_review, name="assessment_review"),
    path("<uuid:pk>/submit/", assessments.assessment_submit, name="assessment_submit"),
    path("<uuid:pk>/results/", results.assessment_results, name="assessment_results"),
    path("<uuid:pk>/export.json", assessments.assessment_export_json, name="assessment_export_json"),
    path("<uuid:pk>/delete/", assessments.assessment_delete, name="assessment_delete"),
    path("<uuid:pk>/upgrade/", upgrade.assessment_upgrade, name="assessment_upgrade"),
    path("<uuid:pk>/next-round/", rounds.assessment_next_round, name="assessment_next_round"),
    path("<uuid:pk>/activity/", assessments.assessment_activity, name="assessment_activity"),
    path("<uuid:pk>/remediation/", remediation.assessment_remediation, name="assessment_remediation"),
    path("<uuid:pk>/remediation/<str:control_id>/", remediation.remediation_save, name="remediation_save"),
    path("<uuid:pk>/controls/<str:control_id>/evidence/", evidence.evidence_add, name="evidence_add"),
    path("<uuid:pk>/evidence/<uuid:evidence_id>/", evidence.evidence_download, name="evidence_download"),
    path("<uuid:pk>/evidence/<uuid:evidence_id>/remove/", evidence.evidence_remove, name="evidence_remove"),
    path("<uuid:pk>/evidence/<uuid:evidence_id>/confirm/", evidence.evidence_confirm, name="evidence_confirm"),
    path("<uuid:pk>/", include("assessment.reports.urls")),
]

urlpatterns = [
    path("", catalog.home, name="home"),
    path("assessments/", include(assessment_patterns)),
    path("accounts/", include(account_patterns)),
    path("remediation/", remediation.organization_remediation, name="organization_remediation"),
    path("models/", catalog.model_list, name="model_list"),
    path("models/<slug:slug>/<str:version>/", catalog.model_detail, name="model_detail"),
    path("models/<slug:slug>/<str:version>/catalog.json", catalog.model_oscal_catalog, name="model_oscal_catalog"),
    path("models/<slug:slug>/<str:version>/profile.json", catalog.model_oscal_profile, name="model_oscal_profile"),
    path("models/<slug:slug>/<str:version>/export.<str:fmt>", catalog.model_export, name="model_export"),
    path(
        "models/<slug:slug>/<str:version>/controls/<str:control_id>/",
        catalog.control_detail,
        name="control_detail",
    ),
]
