from django.urls import path

from fupin.welfare import staff_views, views

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
    # staff: projects, pairings, donors and the alliance (staff_views)
    path("projects/new/", staff_views.project_new, name="welfare_project_new"),
    path("projects/<int:pk>/edit/", staff_views.project_edit, name="welfare_project_edit"),
    path("projects/<int:pk>/publish/", staff_views.project_publish, name="welfare_project_publish"),
    path("projects/<int:pk>/take-up/", staff_views.project_take_up, name="welfare_project_take_up"),
    path("projects/<int:pk>/served/", staff_views.project_served, name="welfare_project_served"),
    path("pairings/new/", staff_views.pairing_new, name="welfare_pairing_new"),
    path("pairings/<int:pk>/edit/", staff_views.pairing_edit, name="welfare_pairing_edit"),
    path("donors/", staff_views.donors, name="welfare_donors"),
    path("donors/<int:pk>/", staff_views.donor_edit, name="welfare_donor_edit"),
    path("donor/take-up/<int:pk>/", views.donor_take_up, name="welfare_donor_take_up"),
]
