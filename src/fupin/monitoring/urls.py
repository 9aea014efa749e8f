from django.urls import path

from fupin.monitoring import views

urlpatterns = [
    path("", views.queue, name="monitoring_queue"),
    path("flows/", views.flow_statistics, name="monitoring_flows"),
    path("alerts/<int:pk>/", views.alert, name="monitoring_alert"),
    path("reports/", views.risk_reports, name="monitoring_reports"),
]
