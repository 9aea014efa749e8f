from django.urls import path

from fupin.team import views

urlpatterns = [
    path("", views.home, name="team"),
    path("coverage/<slug:what>/", views.coverage, name="team_coverage"),
    path("members/", views.members, name="team_members"),
    path("members/<int:pk>/", views.member, name="team_member"),
    path("members/template.xlsx", views.members_template, name="team_members_template"),
    path("members/errors/<str:token>.xlsx", views.members_errors, name="team_members_errors"),
    path("village/<str:code>/", views.village, name="team_village"),
    path("mine/", views.mine, name="team_mine"),
    path("visit/<int:household>/", views.visit, name="team_visit"),
    path("visits/", views.visits, name="team_visits"),
    path("photos/<int:pk>/", views.photo, name="team_photo"),
    path("trainings/", views.trainings, name="team_trainings"),
    path("trainings/<int:pk>/", views.training, name="team_training"),
    path("trainings/<int:pk>/<str:token>.xlsx", views.training_errors, name="team_training_errors"),
    path("trainings/<int:pk>/trainees/<int:attendance>/", views.trainee, name="team_trainee"),
]
