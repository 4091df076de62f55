from django.contrib.auth import views as auth_views
from django.urls import path

from . import account, eform, linked, oidc, submission, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", views.procedure_page, name="procedure"),
    path("thu-tuc/<str:code>/nop/", submission.submit, name="submit"),
    path("thu-tuc/<str:code>/nop/to-khai/", eform.form_step, name="form"),
    path("thu-tuc/<str:code>/nop/kiem-tra/", submission.review, name="review"),
    path("thu-tuc/<str:code>/lien-thong/", linked.linked_submit, name="linked_submit"),
    path("nop-ho-so/", views.submit_start, name="submit_start"),
    path(
        "ho-so/lien-thong/<int:application_id>/",
        linked.linked_application,
        name="linked_application",
    ),
    path("ho-so/", views.my_dossiers, name="my_dossiers"),
    path("ho-so/<int:dossier_id>/", views.dossier_page, name="dossier"),
    path("ho-so/<int:dossier_id>/bien-nhan/", views.receipt, name="receipt"),
    *[
        path(f"ho-so/<int:dossier_id>/{a.path}/", views.act, {"action": k}, name=a.url_name)
        for k, a in views.CITIZEN_ACTIONS.items()
    ],
    path("ho-so/<int:dossier_id>/thanh-toan/", views.pay_online, name="pay_online"),
    path("thanh-toan/ket-qua/", views.payment_return, name="payment_return"),
    path("ho-so/<int:dossier_id>/thanh-toan-quoc-gia/", views.pay_national, name="pay_national"),
    path("thanh-toan/dvcqg/ket-qua/", views.national_return, name="national_return"),
    path("ho-so/<int:dossier_id>/chuyen-khoan/", views.pay_transfer, name="pay_transfer"),
    path(
        "ho-so/<int:dossier_id>/chuyen-khoan/<int:payment_id>/qr.png",
        views.transfer_qr,
        name="transfer_qr",
    ),
    path("ho-so/<int:dossier_id>/tep/<int:att_id>/", views.attachment, name="attachment"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("dang-ky/", views.register, name="register"),
    path("tai-khoan/thong-bao/", account.notification_settings, name="notification_settings"),
    path(
        "dang-nhap/",
        oidc.PortalLoginView.as_view(),
        name="login",
    ),
    # Login with VNeID / the national portal's SSO (OpenID Connect; docs/security.md).
    path("dang-nhap/vneid/", oidc.oidc_start, name="oidc_start"),
    path("dang-nhap/vneid/ve/", oidc.oidc_callback, name="oidc_callback"),
    path("dang-xuat/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
]
