from django.urls import path

from . import intake, reconciliation, views

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
    path("ho-so/<int:dossier_id>/", views.dossier, name="dossier"),
    path("ho-so/<int:dossier_id>/tep/<int:att_id>/", views.attachment, name="attachment"),
    path("ho-so/<int:dossier_id>/<slug:action>/", views.act, name="act"),
]
