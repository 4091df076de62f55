from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("phan-anh-kien-nghi/", views.published_list, name="published"),
    path("phan-anh-kien-nghi/<int:feedback_id>/", views.published_detail, name="published_detail"),
    path("phan-anh-kien-nghi/gui/", views.submit, name="submit"),
    path("phan-anh-kien-nghi/theo-doi/", views.track, name="track"),
    path("phan-anh-kien-nghi/theo-doi/danh-gia/", views.rate, name="rate"),
    path("phan-anh-kien-nghi/theo-doi/bo-sung/", views.provide_info, name="provide_info"),
    path("can-bo/phan-anh/", views.staff_list, name="staff_list"),
    path("can-bo/phan-anh/<int:feedback_id>/", views.staff_detail, name="staff_detail"),
    path("can-bo/phan-anh/<int:feedback_id>/<str:action>/", views.staff_act, name="staff_act"),
]
