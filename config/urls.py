"""Root URLs. App pages live in assessment.urls; handlers render styled error pages."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Shared Responsibility Self-Assessment — review"
admin.site.site_title = "Self-Assessment admin"
admin.site.index_title = "Review submissions"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("assessment.urls")),
]
