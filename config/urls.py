"""Root URLs. App pages live in assessment.urls; handlers render styled error pages."""

from django.contrib import admin
from django.urls import include, path

from assessment.admin_views import view_on_site

admin.site.site_header = "Shared Responsibility Self-Assessment — review"
admin.site.site_title = "Self-Assessment admin"
admin.site.index_title = "Review submissions"

handler400 = "assessment.views.errors.bad_request"

urlpatterns = [
    # Ahead of admin.site.urls, which has its own route for this that doesn't check visibility.
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site), name="view_on_site"),
    path("admin/", admin.site.urls),
    path("", include("assessment.urls")),
]
