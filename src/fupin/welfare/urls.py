from django.urls import path

from fupin.welfare import views

urlpatterns = [
    path("", views.home, name="welfare"),
    path("needs/new/", views.propose, name="welfare_propose"),
    path("needs/<int:pk>/", views.need, name="welfare_need"),
    path("needs/<int:pk>/review/", views.review, name="welfare_review"),
    path("needs/<int:pk>/withdraw/", views.withdraw, name="welfare_withdraw"),
    path("needs/<int:pk>/donation/", views.donation, name="welfare_donation"),
    path("needs/<int:pk>/disbursement/", views.disbursement, name="welfare_disbursement"),
    path("needs/<int:pk>/disbursement/<int:disbursement_pk>/confirm/", views.confirm, name="welfare_confirm"),
    path("projects/", views.projects, name="welfare_projects"),
    path("projects/<int:pk>/", views.project, name="welfare_project"),
    path("pairings/<int:pk>/", views.pairing, name="welfare_pairing"),
    path("donor/", views.donor, name="welfare_donor"),
    path("donor/pledge/", views.pledge, name="welfare_pledge"),
]
