from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path, re_path

from hotel_vouchers.api import api, api_not_found


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect("/admin/")


urlpatterns = [
    path("", home),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("documents/", include("hotel_vouchers.documents.urls")),
    re_path(r"^api/v1/(?P<rest>.*)$", api_not_found),
]
