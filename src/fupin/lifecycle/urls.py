from django.urls import path

from fupin.lifecycle import views

urlpatterns = [
    path("", views.work_queue, name="lifecycle_queue"),
    path("notice/", views.start_notice, name="lifecycle_start_notice"),
    path("households/<int:pk>/", views.household, name="lifecycle_household"),
    path("measures/<int:pk>/", views.measure_edit, name="lifecycle_measure_edit"),
    path("cases/<int:pk>/", views.case, name="lifecycle_case"),
    path("exit/", views.exit_evaluation, name="lifecycle_exit"),
    path("notices/", views.public_notices, name="lifecycle_notices"),
    path("notices/<int:pk>/", views.public_notice, name="lifecycle_notice"),
    path("notices/<int:pk>/pdf/", views.public_notice_pdf, name="lifecycle_notice_pdf"),
]
