from django.urls import path

from fupin.projects import views

urlpatterns = [
    path("", views.project_list, name="projects"),
    path("new/", views.project_new, name="projects_new"),
    path("<int:pk>/", views.project_detail, name="projects_detail"),
    path("funds/", views.funds, name="projects_funds"),
    path("spending/", views.spending, name="projects_spending"),
    path("alerts/", views.alerts, name="projects_alerts"),
    path("uploads/<str:kind>/errors.xlsx", views.upload_report, name="projects_upload_report"),
    path("plans/", views.plan_list, name="projects_plans"),
    path("plans/<int:pk>/", views.plan_detail, name="projects_plan"),
    path("tasks/dispatch/", views.dispatch, name="projects_dispatch"),
    path("tasks/<int:pk>/", views.task_detail, name="projects_task"),
    path("reports/<int:pk>/attachment/", views.report_attachment, name="projects_report_attachment"),
    path("targets/", views.targets, name="projects_targets"),
]
