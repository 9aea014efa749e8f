from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import set_language

from fupin.api import api
from fupin.core import views as core_views
from fupin.regions import views as region_views
from fupin.registry import views as registry_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("settings/tokens/", core_views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", core_views.revoke_token, name="revoke_token"),
    path("regions/", region_views.browser, name="regions"),
    path("regions/<str:code>/", region_views.browser, name="region"),
    path("households/", registry_views.household_list, name="households"),
    path("households/<int:pk>/", registry_views.household_detail, name="household"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
