from django.urls import path

from fupin.commerce import views

urlpatterns = [
    path("", views.home, name="commerce"),
    path("stations/", views.stations, name="commerce_stations"),
    path("shops/", views.shops, name="commerce_shops"),
    path("shops/<int:pk>/", views.shop, name="commerce_shop"),
    path("shops/<int:pk>/purchase/", views.purchase_form, name="commerce_purchase"),
    path("shops/<int:pk>/upload/", views.upload, name="commerce_upload"),
    path("shops/<int:pk>/upload/template.xlsx", views.upload_template, name="commerce_upload_template"),
    path("shops/<int:pk>/upload/<str:token>.xlsx", views.upload_errors, name="commerce_upload_errors"),
    path("households/<int:pk>/confirm-income/", views.confirm_income, name="commerce_confirm_income"),
    path("services/new/", views.service_form, name="commerce_service_new"),
    path("demo-counties/", views.demo_counties, name="commerce_demo_counties"),
    path("courses/", views.courses, name="commerce_courses"),
    path("courses/<int:pk>/", views.course, name="commerce_course"),
    path("courses/<int:pk>/<str:token>.xlsx", views.course_errors, name="commerce_course_errors"),
]

public_urlpatterns = [
    path("trace/<str:code>/", views.trace, name="commerce_trace"),
    path("trace/<str:code>/qr.svg", views.trace_qr, name="commerce_trace_qr"),
    path("products/", views.catalogue, name="commerce_catalogue"),
]
