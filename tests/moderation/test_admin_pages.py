"""Every admin page, for each role that may enter the admin, with warnings as errors.

Each registered model's changelist, change page, history page and add page answers as the table
below says: content is read-only for everybody (no add, no change form, no delete), what a role
may see follows Django's view permissions and `annotations.access`, and a model registered later
without a row here fails the test.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from annotations import moderation
from annotations.models import Claim, ExportJob, ImportJob
from tests.factories import UserFactory

from .conftest import fingerprint

# model label: (who besides the superuser may view it, the superuser's add page)
M, E, ME = {"moderator"}, {"editor"}, {"moderator", "editor"}
ADMIN_TABLE = {
    "annotations.Article": (ME, 403),
    "annotations.Sentence": (ME, 403),
    "annotations.RatingScale": (E, 200),  # configuration, not content
    "annotations.Claim": (ME, 403),
    "annotations.Source": (ME, 403),
    "annotations.Comment": (ME, 403),
    "annotations.Verdict": (ME, 403),
    "annotations.Correction": (ME, 403),
    "annotations.ImportJob": (ME, 403),
    "annotations.ExportJob": (ME, 403),
    "annotations.Flag": (M, 403),
    "annotations.AuditEvent": (M, 403),
    "auth.User": (M, 200),
    "auth.Group": (M, 200),
    "authtoken.TokenProxy": (set(), 200),
    "axes.AccessAttempt": (set(), 403),
    "axes.AccessLog": (set(), 403),
    "axes.AccessFailureLog": (set(), 403),
}
ROLES = ["editor", "moderator", "superuser"]


@pytest.fixture
def every_object(world, moderator, reviewer, other_editor):
    """At least one row of every registered model (world: claims, sources, comments, a verdict,
    a flag; a retraction adds a correction and audit events)."""
    moderation.retract_verdict(verdict=world.verdict, moderator=moderator, note="Withdrawn.")
    ImportJob.objects.create(created_by=reviewer, original_name="day.jsonl")
    ExportJob.objects.create(created_by=reviewer, format="jsonl")
    Token.objects.create(user=reviewer)
    return world


def test_every_registered_model_has_a_row():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == set(ADMIN_TABLE)


def _pages(model) -> dict[str, tuple[str, str | None]]:
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    obj = model._default_manager.order_by("pk").first()
    pages = {"changelist": reverse(f"{base}_changelist"), "add": reverse(f"{base}_add")}
    if obj is not None:
        pages["change"] = reverse(f"{base}_change", args=[obj.pk])
        pages["history"] = reverse(f"{base}_history", args=[obj.pk])
    return pages


def _expected(role: str, label: str, page: str) -> int:
    viewers, superuser_add = ADMIN_TABLE[label]
    if role == "superuser":
        return superuser_add if page == "add" else 200
    if role in viewers and page != "add":
        return 200
    return 403  # nobody but the superuser adds


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_answers_as_the_table_says(request, every_object, role):
    user = {
        "editor": lambda: request.getfixturevalue("editor"),  # staff, with the Editor role
        "moderator": lambda: UserFactory(username="plain-mod", roles=["Moderator"]),
        "superuser": lambda: request.getfixturevalue("superuser"),
    }[role]()
    client = Client()
    client.force_login(user)
    before = fingerprint()
    wrong = []
    assert client.get("/admin/").status_code == 200
    for model in admin.site._registry:
        label = model._meta.label
        for page, url in _pages(model).items():
            expected = _expected(role, label, page)
            status = client.get(url).status_code
            if status != expected:
                wrong.append(f"{role} {label} {page} {url}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)
    assert fingerprint() == before  # reading changed nothing


@pytest.mark.parametrize("role", ["moderator", "superuser"])
def test_the_moderation_queue_is_linked_from_the_index_and_the_sidebar(request, world, role):
    user = (
        UserFactory(username="plain-mod", roles=["Moderator"])
        if role == "moderator"
        else request.getfixturevalue("superuser")
    )
    client = Client()
    client.force_login(user)
    index = client.get("/admin/").content.decode()
    assert 'href="/admin/moderation/"' in index and "Moderation queue" in index
    changelist = client.get("/admin/annotations/claim/").content.decode()
    sidebar = changelist[changelist.index('id="nav-sidebar"') :]
    assert 'href="/admin/moderation/"' in sidebar
    assert client.get("/admin/moderation/").status_code == 200


def test_editors_have_no_queue_link(editor):
    client = Client()
    client.force_login(editor)
    assert "/admin/moderation/" not in client.get("/admin/").content.decode()


def test_an_editor_sees_no_hidden_claim_in_the_admin(world, editor):
    Claim.objects.filter(pk=world.hidden_claim.pk).update(text="Hidden-claim-token")
    client = Client()
    client.force_login(editor)
    listing = client.get("/admin/annotations/claim/?o=1").content.decode()
    assert f"/admin/annotations/claim/{world.claim.pk}/change/" in listing
    assert f"/admin/annotations/claim/{world.hidden_claim.pk}/change/" not in listing
    hidden = client.get(f"/admin/annotations/claim/{world.hidden_claim.pk}/change/")
    assert hidden.status_code == 302  # "does not exist", as for an id never used
    assert "Hidden-claim-token" not in listing
    assert "Hidden-claim-token" not in client.get(hidden["Location"]).content.decode()


def test_claim_admin_has_no_form_to_move_or_publish_and_no_inline_hide(world, superuser):
    """The bugs the issue found: offsets moved without quote and sentences, `published` set with
    no verdict, a source hidden from the inline with no hidden_by, reason or audit event."""
    client = Client()
    client.force_login(superuser)
    url = f"/admin/annotations/claim/{world.claim.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="start"' not in page and 'name="status"' not in page
    assert 'name="sources-0-is_hidden"' not in page
    before = fingerprint()
    claim = Claim.objects.get(pk=world.claim.pk)
    response = client.post(
        url,
        {
            "article": claim.article_id,
            "start": 1,
            "end": 5,
            "status": "published",
            "sources-TOTAL_FORMS": "1",
            "sources-INITIAL_FORMS": "1",
            "sources-0-id": world.source.pk,
            "sources-0-claim": claim.pk,
            "sources-0-is_hidden": "on",
        },
    )
    assert response.status_code == 403
    assert fingerprint() == before
    claim.refresh_from_db()
    assert (claim.start, claim.end) == (world.claim.start, world.claim.end)


def test_editors_may_browse_content_but_not_flags_audit_or_users(db):
    codenames = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {"view_article", "view_claim", "view_verdict", "view_importjob"} <= codenames
    assert not codenames & {"view_flag", "view_auditevent", "view_user", "change_claim"}


def test_groups_are_still_editable_by_the_superuser(superuser):
    client = Client()
    client.force_login(superuser)
    group = Group.objects.get(name="Reviewer")
    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200
