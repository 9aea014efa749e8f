from django.urls import path

from fupin.connectivity import views

urlpatterns = [
    path("", views.dashboard, name="connectivity"),
    path("villages/", views.village_list, name="connectivity_villages"),
    path("villages/<str:code>/", views.village, name="connectivity_village"),
    path("import/", views.import_page, name="connectivity_import"),
    path("import/template.xlsx", views.template_download, name="connectivity_template"),
    path("facilities/", views.facility_list, name="connectivity_facilities"),
    path("facilities/template.xlsx", views.facility_template, name="connectivity_facility_template"),
    path("facilities/<int:pk>/", views.facility, name="connectivity_facility"),
    path("rankings/", views.rankings, name="connectivity_rankings"),
    path("rankings/freeze/", views.freeze, name="connectivity_freeze"),
    path("rankings/<int:pk>/", views.ranking, name="connectivity_ranking"),
    path("rankings/<int:pk>/pdf/", views.ranking_pdf, name="connectivity_ranking_pdf"),
]
