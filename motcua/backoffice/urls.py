from django.urls import path

from . import intake, reconciliation, statements, views

app_name = "backoffice"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tiep-nhan/", intake.intake, name="intake"),
    path("doi-soat/", reconciliation.reconciliation, name="reconciliation"),
    path(
        "doi-soat/<int:item_id>/xu-ly/",
        reconciliation.resolve,
        name="reconciliation_resolve",
    ),
    # The collecting account's statement (VietQR transfers): queue, upload, manual match.
    path("sao-ke/", statements.queue, name="statements"),
    path("sao-ke/nhap/", statements.upload, name="statements_upload"),
    path("sao-ke/<int:line_id>/khop/", statements.match, name="statements_match"),
    path("ho-so/<int:dossier_id>/", views.dossier, name="dossier"),
    path("ho-so/<int:dossier_id>/tep/<int:att_id>/", views.attachment, name="attachment"),
    path("ho-so/<int:dossier_id>/<slug:action>/", views.act, name="act"),
]
