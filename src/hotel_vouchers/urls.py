from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect("/admin/")


urlpatterns = [
    path("", home),
    path("admin/", admin.site.urls),
]
