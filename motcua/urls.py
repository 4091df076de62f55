from django.contrib import admin
from django.urls import include, path

from motcua.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("xac-thuc-hai-lop/", include("motcua.org.urls")),  # officers' second factor
    # Pages: each app adds its own urls.py (one line here each).
    path("giay-to/", include("motcua.documents.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),  # the gateway's IPN
    path("xac-thuc/", include("motcua.signing.urls")),  # public check of a signed result
    path("", include("motcua.feedback.urls")),  # /phan-anh-kien-nghi/, /can-bo/phan-anh/
    path("", include("motcua.store.urls")),  # /kho-du-lieu/, /chia-se/<token>/
    path("", include("motcua.reports.urls")),  # /bao-cao/, /cong-khai/, /open-data/
    path("", include("motcua.portal.urls")),  # keep last: every other prefix wins
]
