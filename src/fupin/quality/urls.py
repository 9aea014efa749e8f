from django.urls import path

from fupin.quality import views

urlpatterns = [
    path("", views.overview, name="quality_overview"),
    path("rules/", views.catalogue, name="quality_catalogue"),
    path("rules/<str:code>/", views.records, name="quality_records"),
    path("findings/<int:pk>/", views.finding, name="quality_finding"),
    path("trend/", views.trend, name="quality_trend"),
    path("villages/", views.villages, name="quality_villages"),
]
