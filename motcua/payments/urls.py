from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
]
