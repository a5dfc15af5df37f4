from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts.viewsets import site_history_urls
from cms.views import choose_language, download_material_file, favicon, robots_txt, search
from courses.views import dashboard
from ops.metrics import metrics_not_found
from ops.views import healthz, livez

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    # Staff sign in through allauth, which asks for their TOTP code; Wagtail's own form would not.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", include(site_history_urls)),  # Wagtail's site history, narrowed to the user's scope
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("language/", choose_language, name="choose_language"),
    path("search/", search, name="search"),
    path("my/", dashboard, name="dashboard"),
    path("", include("certificates.urls")),
    path("materials/download/<int:file_id>/", download_material_file, name="download_material_file"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    # Answered by ops.metrics.MetricsMiddleware for the operator; everyone else gets a 404.
    path("metrics", metrics_not_found, name="metrics"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# The site's own error pages, in the visitor's language, with the quick-exit control.
handler400 = "cms.error_views.bad_request"
handler403 = "cms.error_views.permission_denied"
handler404 = "cms.error_views.page_not_found"
handler500 = "cms.error_views.server_error"
