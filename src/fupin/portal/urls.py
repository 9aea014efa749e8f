"""The public portal's pages (no login), mounted at the site's root."""

from django.urls import path

from fupin.portal import staff_views, views

public_urlpatterns = [
    path("", views.home, name="portal"),
    path("progress/", views.progress, name="portal_progress"),
    path("progress/<str:code>/", views.progress, name="portal_progress_region"),
    path("needs/", views.needs, name="portal_needs"),
    path("needs/<int:pk>/", views.need, name="portal_need"),
    path("welfare-projects/", views.projects, name="portal_projects"),
    path("welfare-projects/<int:pk>/", views.project, name="portal_project"),
    path("pairings/", views.pairings, name="portal_pairings"),
    path("articles/", views.articles, name="portal_articles"),
    path("articles/<int:pk>/", views.article, name="portal_article"),
    path("reports/", views.reports, name="portal_reports"),
    path("reports/<int:pk>.pdf", views.report_pdf, name="portal_report_pdf"),
    path("feedback/", views.feedback, name="portal_feedback"),
    path("feedback/lookup/", views.feedback_lookup, name="portal_feedback_lookup"),
    path("language/<str:code>/", views.language, name="portal_language"),
    path("donors/join/", views.donor_signup, name="portal_donor_signup"),
]

# Staff pages (login): the editorial workflow, report publication, the township's feedback queue.
urlpatterns = [
    path("articles/", staff_views.articles, name="portal_manage_articles"),
    path("articles/new/", staff_views.article_edit, name="portal_manage_article_new"),
    path("articles/<int:pk>/", staff_views.article_edit, name="portal_manage_article"),
    path("reports/", staff_views.reports, name="portal_manage_reports"),
    path("feedback/", staff_views.feedback_queue, name="portal_manage_feedback"),
    path("feedback/<int:pk>/", staff_views.feedback_item, name="portal_manage_feedback_item"),
]
