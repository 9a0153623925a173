"""Report URLs under /assessments/<id>/ (PDF, HTML preview, CSV)."""

urlpatterns: list = []
