from django.urls import path

from fupin.exchange import views

urlpatterns = [
    path("", views.queue, name="exchange_queue"),
    path("doubts/<int:pk>/", views.doubt, name="exchange_doubt"),
    path("statistics/", views.statistics, name="exchange_statistics"),
    path("batches/", views.batches, name="exchange_batches"),
    path("batches/<int:pk>/", views.batch, name="exchange_batch"),
    path("share/<str:group>/", views.share_export, name="exchange_share"),
]
