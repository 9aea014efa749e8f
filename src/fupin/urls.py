from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from fupin.api import api
from fupin.commerce.urls import public_urlpatterns as commerce_public
from fupin.core import views as core_views
from fupin.home import views as home_views
from fupin.portal.urls import public_urlpatterns as portal_public
from fupin.regions import views as regions_views
from fupin.registry import views as registry_views

urlpatterns = [
    # The public portal is the site's root; the signed-in platform's home is the workbench.
    path("workbench/", home_views.home, name="home"),
    path("login/", core_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("settings/tokens/", core_views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", core_views.revoke_token, name="revoke_token"),
    path("exports/", core_views.my_exports, name="my_exports"),
    path("exports/<str:token>/", core_views.export_job, name="export_job"),
    path("exports/<str:token>/download/", core_views.export_download, name="export_download"),
    path("regions/", home_views.region_browser, name="regions"),
    path("regions/picker/", regions_views.picker, name="region_picker"),
    path("regions/<str:code>/", home_views.region_browser, name="region"),
    path("search/", registry_views.search, name="search"),
    path("households/pick/", registry_views.household_picker, name="household_picker"),
    path("households/", registry_views.household_list, name="households"),
    path("households/<int:pk>/", registry_views.household_detail, name="household"),
    path("households/<int:pk>/pdf/", registry_views.household_pdf, name="household_pdf"),
    path("households/new/", registry_views.household_register, name="household_register"),
    path("households/new/member-row/", registry_views.member_row, name="household_member_row"),
    path("households/<int:pk>/edit/", registry_views.household_edit, name="household_edit"),
    path("households/<int:pk>/transfer/", registry_views.household_transfer, name="household_transfer"),
    path("households/<int:pk>/members/add/", registry_views.member_add, name="household_member_add"),
    path("households/<int:pk>/members/<int:member_pk>/edit/", registry_views.member_edit,
         name="household_member_edit"),
    path("households/<int:pk>/members/<int:member_pk>/remove/", registry_views.member_remove,
         name="household_member_remove"),
    path("households/<int:pk>/income/", registry_views.income_edit, name="household_income"),
    path("lifecycle/", include("fupin.lifecycle.urls")),
    path("exchange/", include("fupin.exchange.urls")),
    path("monitoring/", include("fupin.monitoring.urls")),
    path("connectivity/", include("fupin.connectivity.urls")),
    path("indicators/", include("fupin.indicators.urls")),
    path("commerce/", include("fupin.commerce.urls")),
    path("team/", include("fupin.team.urls")),
    path("quality/", include("fupin.quality.urls")),
    path("projects/", include("fupin.projects.urls")),
    path("welfare/", include("fupin.welfare.urls")),
    path("portal/manage/", include("fupin.portal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    *commerce_public,
    *portal_public,
]

from fupin.registry import import_views  # noqa: E402

urlpatterns += [
    path("households/import/", import_views.import_form, name="registry_import"),
    path("households/import/<str:token>/", import_views.import_job, name="registry_import_job"),
    path("households/import/<str:token>/errors.xlsx", import_views.import_report, name="registry_import_report"),
    path("households/template.xlsx", import_views.template_download, name="registry_template"),
    path("households/export/", import_views.export, name="registry_export"),
]
