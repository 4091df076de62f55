from django.urls import path

from . import intake, outbox, reconciliation, refunds, scans, signing, statements, views

app_name = "backoffice"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("hoan-tra/", refunds.refunds, name="refunds"),
    path("hoan-tra/de-nghi/<int:payment_id>/", refunds.refund_request, name="refund_request"),
    path("hoan-tra/<int:refund_id>/ghi-nhan/", refunds.refund_record, name="refund_record"),
    path("hoan-tra/<int:refund_id>/qua-cong/", refunds.refund_gateway, name="refund_gateway"),
    path("hoan-tra/<int:refund_id>/doi-soat/", refunds.refund_reconcile, name="refund_reconcile"),
    path("tiep-nhan/", intake.intake, name="intake"),
    # The outbox (national portal sync, notifications): what waits, dead letters, replay.
    path("hop-thu-di/", outbox.outbox, name="outbox"),
    path("hop-thu-di/<int:message_id>/gui-lai/", outbox.replay, name="outbox_replay"),
    path(
        "hop-thu-di/<slug:destination>/gui-lai-tat-ca/",
        outbox.replay_all,
        name="outbox_replay_all",
    ),
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
    path("ho-so/<int:dossier_id>/ky-so-ket-qua/", signing.sign_result, name="sign_result"),
    path(
        "ho-so/<int:dossier_id>/ket-qua/<str:code>/thu-hoi/",
        signing.revoke_result,
        name="revoke_result",
    ),
    path("ho-so/<int:dossier_id>/so-hoa/", scans.scans, name="scans"),
    path("ho-so/<int:dossier_id>/so-hoa/quet/", scans.scan_new, name="scan_new"),
    path("ho-so/<int:dossier_id>/so-hoa/<int:scan_id>/", scans.scan_text, name="scan_text"),
    path(
        "ho-so/<int:dossier_id>/so-hoa/<int:scan_id>/thu-lai/",
        scans.scan_retry,
        name="scan_retry",
    ),
    path("ho-so/<int:dossier_id>/<slug:action>/", views.act, name="act"),
]
