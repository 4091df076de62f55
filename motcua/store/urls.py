from django.urls import path

from . import views

app_name = "store"

urlpatterns = [
    path("kho-du-lieu/", views.index, name="index"),
    path("kho-du-lieu/tai-len/", views.upload, name="upload"),
    path("kho-du-lieu/tep/<str:key>/", views.download, name="download"),
    path("kho-du-lieu/xoa/<int:document_id>/", views.delete, name="delete"),
    path("kho-du-lieu/chia-se/", views.share, name="share"),
    path("kho-du-lieu/chia-se/<int:link_id>/thu-hoi/", views.revoke, name="revoke"),
    path("chia-se/<str:token>/", views.shared, name="shared"),
]
