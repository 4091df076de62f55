from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("so-theo-doi.pdf", views.tracking_log, name="tracking_log"),
    path("<int:dossier_id>/bien-lai/<int:receipt_id>.pdf", views.fee_receipt, name="fee_receipt"),
    path(
        "<int:dossier_id>/bien-lai/<int:receipt_id>.xml",
        views.fee_receipt_xml,
        name="fee_receipt_xml",
    ),
    path("<int:dossier_id>/<slug:kind>.pdf", views.dossier_document, name="dossier_document"),
]
