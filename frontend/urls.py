from django.urls import path

from . import public_views, views

app_name = "frontend"

urlpatterns = [
    path("", views.my_work, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("import/", views.import_page, name="import"),
    path("triage/", views.triage_page, name="triage"),
    path("articles/<int:pk>/", views.article_reader, name="reader"),
    path(
        "articles/<int:pk>/revisions/<int:number>/",
        views.article_revision,
        name="article-revision",
    ),
    path("export/", views.export_page, name="export"),
    path("fact-checks/", public_views.fact_checks, name="fact-checks"),
    path("fact-checks/rss/", public_views.rss_feed, name="fact-checks-rss"),
    path("fact-checks/atom/", public_views.atom_feed, name="fact-checks-atom"),
    path("claims/<int:pk>/", public_views.claim_page, name="public-claim"),
    path("ratings/", public_views.ratings_page, name="public-ratings"),
]
