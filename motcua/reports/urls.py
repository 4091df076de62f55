from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("bao-cao/", views.dashboard, name="dashboard"),
    path("bao-cao/chi-so/<str:indicator_id>/", views.indicator_rows, name="indicator"),
    path("bao-cao/bieu-06/", views.bieu06_page, name="bieu06"),
    path("bao-cao/bieu-06/tai-ve/<str:fmt>/", views.bieu06_download, name="bieu06_download"),
    path("cong-khai/", views.public_index, name="public_index"),
    path("cong-khai/<str:code>/", views.public_agency, name="public_agency"),
    path("open-data/", views.open_data_index, name="open_data"),
    path("open-data/indicators.csv", views.open_data_csv, name="open_data_csv"),
    path("open-data/indicators.json", views.open_data_json, name="open_data_json"),
    path("open-data/catalog.jsonld", views.open_data_catalog, name="open_data_catalog"),
]
