from django.urls import path

from fupin.indicators import views

urlpatterns = [
    path("", views.dashboard_page, name="indicators_dashboard"),
    path("ranking/", views.ranking_page, name="indicators_ranking"),
    path("assessment/", views.assessment_page, name="indicators_assessment"),
    path("assessment/new/", views.scheme_edit, name="indicators_scheme_new"),
    path("assessment/<int:pk>/edit/", views.scheme_edit, name="indicators_scheme_edit"),
    path("reports/", views.report_list, name="indicators_reports"),
    path("reports/<int:pk>/", views.report_detail, name="indicators_report"),
    path("reports/<int:pk>/report.<str:fmt>", views.report_download, name="indicators_report_file"),
]
