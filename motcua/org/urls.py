"""The officers' second-factor pages, under /xac-thuc-hai-lop/ (motcua.org.otp)."""

from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("", views.verify, name="otp_verify"),
    path("dang-ky/", views.enrol, name="otp_enrol"),
    path("ma-du-phong/", views.recovery_codes, name="otp_recovery"),
]
