from django.urls import path
from django.views.generic import RedirectView

app_name = "frontend"

# The reviewer UI's pages come with its own issue; until then the root leads to the admin.
urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="home"),
]
