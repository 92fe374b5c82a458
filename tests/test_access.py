"""The read truth table: role x every endpoint and page x object state.

Each object carries a token of its own (the article's title, the claim's text and everything that
hangs off it, a hidden source and comment on the claim, the jobs). For every cell the table says
the status and which tokens the answer shows; an answer that shows a token it should not, or a
refusal that shows any token at all (a title, a text, a count), fails. The URL walk at the end
fails when a URL pattern is added without a row here (the admin has its own walk over every
registered model in tests/moderation/test_admin_pages.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import get_resolver, resolve
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import timezone

from annotations import audit, moderation
from annotations.models import ExportJob, Flag, ImportJob, RatingScale, Verdict
from tests.factories import ArticleFactory, ClaimFactory, SourceFactory, UserFactory

ROLES = ["anonymous", "none", "reviewer", "editor", "moderator", "staff", "admin"]
STATES = ["visible", "hidden", "draft", "published", "retracted"]
WITH_ROLE = {"reviewer", "editor", "moderator", "admin"}
SEES_HIDDEN = {"moderator", "admin"}
NO_ROLE_TEXT = "ask an editor for one"


def tokens(state: str) -> dict[str, str]:
    """A: the article's title; C: the claim and what hangs off it; H: its hidden source and
    comment; J: the jobs (another reviewer's)."""
    return {"A": f"art{state}qz", "C": f"clm{state}qz", "H": f"hid{state}qz", "J": "jobsecretqz"}


# --- Expectations -------------------------------------------------------------------------------

Expect = tuple[int, str]  # status, the tokens (letters) the answer shows


def claim_visible(role: str, state: str) -> bool:
    return role in WITH_ROLE and (state != "hidden" or role in SEES_HIDDEN)


def role_or(role: str, ok: Expect) -> Expect:
    """API: a role reads; anyone else is refused (403), anonymous or not."""
    return ok if role in WITH_ROLE else (403, "")


def page_or(role: str, ok: Expect) -> Expect:
    """HTML: a role reads; no role is a 403 page; anonymous goes to the login page."""
    if role == "anonymous":
        return (302, "")
    return ok if role in WITH_ROLE else (403, "")


def claim_child(role: str, state: str, shows: str) -> Expect:
    """An object of the claim: 404 where the claim is hidden from `role`, as for no claim."""
    if role not in WITH_ROLE:
        return (403, "")
    return (200, shows) if claim_visible(role, state) else (404, "")


def hidden_letter(role: str) -> str:
    return "H" if role in SEES_HIDDEN else ""


def history(role: str, state: str) -> Expect:
    if role not in {"editor", "moderator", "admin"}:
        return (403, "")
    return (200, "C" + hidden_letter(role)) if claim_visible(role, state) else (404, "")


def allowed(roles: set[str], status: int) -> Callable[[str, str], Expect]:
    """A write-only route: GET is refused (403) for roles that may not write there, and is a
    405 (after the role check) for those that may; neither shows anything."""
    return lambda role, state: (status, "") if role in roles else (403, "")


def jobs(role: str, *, detail: bool, readers: set[str], ok: int = 200) -> Expect:
    if role not in readers:
        return (403, "")
    sees_all = role in {"editor", "moderator", "admin"}
    if detail:
        return (ok, "J" if ok == 200 else "") if sees_all else (404, "")
    return (200, "J" if sees_all else "")


WRITERS = {"reviewer", "editor", "admin"}
MODERATORS = {"moderator", "admin"}
EDITORS = {"editor", "admin"}
IMPORTERS = {"reviewer", "editor", "admin"}


@dataclass(frozen=True)
class Row:
    url: str
    expect: Callable[[str, str], Expect]
    per_state: bool = True  # False: the answer does not depend on an object's state


ROWS: dict[str, Row] = {
    # --- The review API
    "api root": Row("/api/v1/", lambda r, s: (403, "") if r == "anonymous" else (200, ""), False),
    "me": Row("/api/v1/me/", lambda r, s: (403, "") if r == "anonymous" else (200, ""), False),
    "token (POST only)": Row("/api/v1/auth/token/", lambda r, s: (405, ""), False),
    "articles": Row("/api/v1/articles/", lambda r, s: role_or(r, (200, "A"))),
    "articles search": Row("/api/v1/articles/?q={A}", lambda r, s: role_or(r, (200, "A"))),
    "articles with claims": Row(
        "/api/v1/articles/?has_claims=true",
        lambda r, s: role_or(r, (200, "A" if claim_visible(r, s) else "")),
    ),
    "article": Row(
        "/api/v1/articles/{article}/",
        lambda r, s: role_or(r, (200, "A" + ("C" if claim_visible(r, s) else ""))),
    ),
    "article assign (POST only)": Row(
        "/api/v1/articles/{article}/assign/", allowed(EDITORS, 405), False
    ),
    "article status (POST only)": Row(
        "/api/v1/articles/{article}/status/", allowed(EDITORS, 405), False
    ),
    "claims": Row(
        "/api/v1/claims/", lambda r, s: role_or(r, (200, "C" if claim_visible(r, s) else ""))
    ),
    "claims of an article": Row(
        "/api/v1/claims/?article={article}",
        lambda r, s: role_or(r, (200, "C" if claim_visible(r, s) else "")),
    ),
    "claim": Row("/api/v1/claims/{claim}/", lambda r, s: claim_child(r, s, "C")),
    "claim matches": Row("/api/v1/claims/{claim}/matches/", lambda r, s: claim_child(r, s, "")),
    "claim corrections": Row(
        # The retracted claim's correction note quotes it.
        "/api/v1/claims/{claim}/corrections/",
        lambda r, s: claim_child(r, s, "C" if s == "retracted" else ""),
    ),
    "claim same-as (POST/DELETE only)": Row(
        "/api/v1/claims/{claim}/same-as/",
        lambda r, s: (405, "") if r in WITH_ROLE else (403, ""),
        False,
    ),
    "check-worthiness models": Row(
        "/api/v1/checkworthiness-models/",
        lambda r, s: (200, "") if r in EDITORS else (403, ""),
        False,
    ),
    "ranked sentences": Row(
        "/api/v1/sentences/?ordering=-checkworthiness", lambda r, s: role_or(r, (200, "")), False
    ),
    "article revisions": Row(
        "/api/v1/articles/{article}/revisions/", lambda r, s: role_or(r, (200, "")), False
    ),
    "article revision": Row(
        "/api/v1/articles/{article}/revisions/1/", lambda r, s: role_or(r, (200, "")), False
    ),
    "claim accept-anchor (POST only)": Row(
        "/api/v1/claims/{claim}/accept-anchor/",
        lambda r, s: (405, "") if r in WITH_ROLE else (403, ""),
        False,
    ),
    "article matches": Row(
        "/api/v1/articles/{article}/matches/", lambda r, s: role_or(r, (200, ""))
    ),
    "sources": Row(
        "/api/v1/claims/{claim}/sources/", lambda r, s: claim_child(r, s, "C" + hidden_letter(r))
    ),
    "source": Row("/api/v1/claims/{claim}/sources/{source}/", lambda r, s: claim_child(r, s, "C")),
    "hidden source": Row(
        "/api/v1/claims/{claim}/sources/{hidden_source}/",
        lambda r, s: (
            claim_child(r, s, "H") if r in SEES_HIDDEN or r not in WITH_ROLE else (404, "")
        ),
    ),
    "comments": Row(
        "/api/v1/claims/{claim}/comments/", lambda r, s: claim_child(r, s, "C" + hidden_letter(r))
    ),
    "comment": Row(
        "/api/v1/claims/{claim}/comments/{comment}/", lambda r, s: claim_child(r, s, "C")
    ),
    "hidden comment": Row(
        "/api/v1/claims/{claim}/comments/{hidden_comment}/",
        lambda r, s: (
            claim_child(r, s, "H") if r in SEES_HIDDEN or r not in WITH_ROLE else (404, "")
        ),
    ),
    "claim's verdicts": Row(
        "/api/v1/claims/{claim}/verdicts/", lambda r, s: claim_child(r, s, "C")
    ),
    "verdicts": Row(
        "/api/v1/verdicts/", lambda r, s: role_or(r, (200, "C" if claim_visible(r, s) else ""))
    ),
    "verdict": Row("/api/v1/verdicts/{verdict}/", lambda r, s: claim_child(r, s, "C")),
    "verdict withdraw (POST only)": Row(
        "/api/v1/verdicts/{verdict}/withdraw/",
        lambda r, s: (405, "") if r in WITH_ROLE else (403, ""),
        False,
    ),
    "verdict submit again (POST only)": Row(
        "/api/v1/verdicts/{verdict}/submit/",
        lambda r, s: (405, "") if r in WITH_ROLE else (403, ""),
        False,
    ),
    "verdict approve (POST only)": Row(
        "/api/v1/verdicts/{verdict}/approve/", allowed(EDITORS, 405), False
    ),
    "verdict reject (POST only)": Row(
        "/api/v1/verdicts/{verdict}/reject/", allowed(EDITORS, 405), False
    ),
    "rating scales": Row("/api/v1/rating-scales/", lambda r, s: role_or(r, (200, "")), False),
    "review options": Row("/api/v1/review-options/", lambda r, s: role_or(r, (200, "")), False),
    "rating scale": Row(
        "/api/v1/rating-scales/{scale}/", lambda r, s: role_or(r, (200, "")), False
    ),
    # --- Moderation
    "claim history": Row("/api/v1/claims/{claim}/history/", history),
    "flags": Row(
        "/api/v1/flags/",
        lambda r, s: (200, "CH") if r in MODERATORS else (403, ""),
    ),
    "flag dismiss (POST only)": Row(
        "/api/v1/flags/{flag}/dismiss/", allowed(MODERATORS, 405), False
    ),
    "flag a claim (POST only)": Row("/api/v1/claims/{claim}/flags/", allowed(WRITERS, 405), False),
    "flag a source (POST only)": Row(
        "/api/v1/sources/{source}/flags/", allowed(WRITERS, 405), False
    ),
    "flag a comment (POST only)": Row(
        "/api/v1/comments/{comment}/flags/", allowed(WRITERS, 405), False
    ),
    "hide claim (POST only)": Row("/api/v1/claims/{claim}/hide/", allowed(MODERATORS, 405), False),
    "unhide claim (POST only)": Row(
        "/api/v1/claims/{claim}/unhide/", allowed(MODERATORS, 405), False
    ),
    "hide source (POST only)": Row(
        "/api/v1/sources/{source}/hide/", allowed(MODERATORS, 405), False
    ),
    "unhide source (POST only)": Row(
        "/api/v1/sources/{source}/unhide/", allowed(MODERATORS, 405), False
    ),
    "hide comment (POST only)": Row(
        "/api/v1/comments/{comment}/hide/", allowed(MODERATORS, 405), False
    ),
    "unhide comment (POST only)": Row(
        "/api/v1/comments/{comment}/unhide/", allowed(MODERATORS, 405), False
    ),
    "retract (POST only)": Row(
        "/api/v1/verdicts/{verdict}/retract/", allowed(MODERATORS, 405), False
    ),
    # --- Imports and exports (another reviewer's jobs)
    "imports": Row(
        "/api/v1/imports/", lambda r, s: jobs(r, detail=False, readers=IMPORTERS), False
    ),
    "import": Row(
        "/api/v1/imports/{import_job}/", lambda r, s: jobs(r, detail=True, readers=IMPORTERS), False
    ),
    "import errors": Row(
        "/api/v1/imports/{import_job}/errors/",
        lambda r, s: jobs(r, detail=True, readers=IMPORTERS),
        False,
    ),
    "import errors csv": Row(
        "/api/v1/imports/{import_job}/errors/?format=csv",
        lambda r, s: jobs(r, detail=True, readers=IMPORTERS),
        False,
    ),
    "import cancel (POST only)": Row(
        "/api/v1/imports/{import_job}/cancel/", allowed(IMPORTERS, 405), False
    ),
    "exports": Row(
        "/api/v1/exports/", lambda r, s: jobs(r, detail=False, readers=WITH_ROLE), False
    ),
    "export": Row(
        "/api/v1/exports/{export_job}/",
        lambda r, s: jobs(r, detail=True, readers=WITH_ROLE),
        False,
    ),
    "export count (POST only)": Row("/api/v1/exports/count/", allowed(WITH_ROLE, 405), False),
    "export download": Row(
        "/api/v1/exports/{export_job}/download/",
        lambda r, s: jobs(r, detail=True, readers=WITH_ROLE, ok=409),  # not finished yet
        False,
    ),
    # --- Public: the feed, its withdrawals, the claim pages, the rating scale, docs
    "feed": Row("/api/v1/verified-claims/", lambda r, s: (200, "AC" if s == "published" else "")),
    "feed csv": Row(
        "/api/v1/verified-claims/?format=csv",
        lambda r, s: (200, "AC" if s == "published" else ""),
    ),
    "feed withdrawn": Row(
        "/api/v1/verified-claims/withdrawn/",
        lambda r, s: (200, "C" if s == "retracted" else ""),
    ),
    "public claim page": Row(
        "/claims/{claim}/",
        lambda r, s: (200, "AC") if s in ("published", "retracted") else (404, ""),
    ),
    "public ratings page": Row("/ratings/", lambda r, s: (200, ""), False),
    "public index": Row("/fact-checks/", lambda r, s: (200, "C" if s == "published" else "")),
    "public index search": Row(
        "/fact-checks/?q=clmpublishedqz",
        lambda r, s: (200, "C" if s == "published" else ""),
    ),
    "public rss": Row("/fact-checks/rss/", lambda r, s: (200, "C" if s == "published" else "")),
    "public atom": Row("/fact-checks/atom/", lambda r, s: (200, "C" if s == "published" else "")),
    "schema": Row("/api/schema/", lambda r, s: (200, ""), False),
    "docs": Row("/api/docs/", lambda r, s: (200, ""), False),
    "healthz": Row("/healthz", lambda r, s: (200, ""), False),
    # The language switcher (a GET changes nothing and goes back home) and the JS catalogue.
    "set language": Row("/i18n/setlang/", lambda r, s: (302, ""), False),
    "javascript catalogue": Row("/jsi18n/", lambda r, s: (200, ""), False),
    # --- The reviewer UI
    "my work": Row("/", lambda r, s: page_or(r, (200, "A"))),
    "my work search": Row("/?q={A}", lambda r, s: page_or(r, (200, "A"))),
    "reader": Row("/articles/{article}/", lambda r, s: page_or(r, (200, "A"))),
    "older text": Row("/articles/{article}/revisions/1/", lambda r, s: page_or(r, (200, "A"))),
    "import page": Row("/import/", lambda r, s: page_or(r, (200, "")), False),
    "triage page": Row("/triage/", lambda r, s: page_or(r, (200, "")), False),
    "export page": Row("/export/", lambda r, s: page_or(r, (200, "")), False),
    "login": Row("/login/", lambda r, s: (200, "") if r == "anonymous" else (302, ""), False),
    "logout (POST only)": Row("/logout/", lambda r, s: (405, ""), False),
}


# --- The world ----------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    """One claim in each state, by another reviewer, each with its own tokens."""
    author = UserFactory(username="author", roles=["Reviewer"])
    flagger = UserFactory(username="flagger", roles=["Reviewer"])
    approver = UserFactory(username="approver", roles=["Editor"])
    mod = UserFactory(username="helper-mod", roles=["Moderator"])
    world = {}
    for state in STATES:
        t = tokens(state)
        article = ArticleFactory(title=f"News {t['A']}")
        claim = ClaimFactory(article=article, created_by=author, text=f"Claim {t['C']}")
        audit.record_event(
            actor=author, action="claim.created", obj=claim, changes={"text": claim.text}
        )
        source = SourceFactory(claim=claim, created_by=author, title=f"Source {t['C']}")
        comment = claim.comments.create(author=author, body=f"Comment {t['C']}")
        hidden_source = SourceFactory(claim=claim, created_by=author, title=f"Source {t['H']}")
        hidden_comment = claim.comments.create(author=author, body=f"Comment {t['H']}")
        verdict = Verdict.objects.create(
            claim=claim,
            author=author,
            rating=RatingScale.objects.get(is_default=True).ratings.get(slug="false"),
            explanation=f"Explanation {t['C']}, long enough for the rule.",
            status=Verdict.Status.DRAFT if state == "draft" else Verdict.Status.SUBMITTED,
        )
        if state != "draft":
            claim.status = claim.Status.SUBMITTED
        if state in ("published", "retracted"):
            now = timezone.now()
            Verdict.objects.filter(pk=verdict.pk).update(
                status=Verdict.Status.APPROVED, reviewed_by=approver, reviewed_at=now
            )
            claim.status, claim.published_verdict, claim.published_at = "published", verdict, now
        claim.save()
        flag = moderation.flag_content(target=claim, user=flagger, reason="wrong", note=t["C"])
        moderation.flag_content(target=hidden_source, user=flagger, reason="spam", note=t["H"])
        for target in (hidden_source, hidden_comment):
            moderation.hide_content(target=target, moderator=mod, reason="spam")
        if state == "hidden":
            moderation.hide_content(target=claim, moderator=mod, reason="privacy")
        if state == "retracted":
            verdict.refresh_from_db()
            moderation.retract_verdict(verdict=verdict, moderator=mod, note=f"Wrong {t['C']}")
        world[state] = {
            "A": t["A"],
            "article": article.pk,
            "claim": claim.pk,
            "source": source.pk,
            "comment": comment.pk,
            "hidden_source": hidden_source.pk,
            "hidden_comment": hidden_comment.pk,
            "verdict": verdict.pk,
            "flag": flag.pk,
        }
    job_token = tokens("any")["J"]
    import_job = ImportJob.objects.create(
        created_by=author, original_name=f"{job_token}.jsonl", errors=[{"message": job_token}]
    )
    export_job = ExportJob.objects.create(
        created_by=author, format="jsonl", errors=[{"message": job_token}]
    )
    common = {
        "import_job": import_job.pk,
        "export_job": export_job.pk,
        "scale": RatingScale.objects.get(is_default=True).pk,
    }
    return SimpleNamespace(states={s: {**ids, **common} for s, ids in world.items()})


def user_for(role: str):
    if role == "anonymous":
        return None
    return {
        "none": lambda: UserFactory(username="nobody"),
        "reviewer": lambda: UserFactory(username="reader-reviewer", roles=["Reviewer"]),
        "editor": lambda: UserFactory(username="reader-editor", roles=["Editor"], is_staff=True),
        # Not staff: the role alone opens what moderators read.
        "moderator": lambda: UserFactory(username="reader-mod", roles=["Moderator"]),
        "staff": lambda: UserFactory(username="clerk", is_staff=True),
        "admin": lambda: UserFactory(username="root", is_staff=True, is_superuser=True),
    }[role]()


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


# --- The table ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_read_truth_table(db, role):
    cache.clear()  # the public feed's throttle counts per address across tests
    world = build_world()
    user = user_for(role)
    client = Client()
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, row in ROWS.items():
        for state in STATES if row.per_state else ["visible"]:
            ids = world.states[state]
            url = row.url.format(**ids)
            status, shows = row.expect(role, state)
            response = client.get(url)
            body = body_of(response)
            cell = f"{role} × {name} × {state}: GET {url}"
            if response.status_code != status:
                wrong.append(f"{cell} answered {response.status_code}, expected {status}")
                continue
            for letter, token in tokens(state).items():
                if letter in shows and token not in body:
                    wrong.append(f"{cell} does not show {letter} ({token})")
                if letter not in shows and token in body:
                    wrong.append(f"{cell} leaks {letter} ({token})")
            if not row.per_state:  # about no object's state: nothing of any state shows
                leaked = [t for s in STATES for k, t in tokens(s).items() if k != "J" and t in body]
                if leaked:
                    wrong.append(f"{cell} leaks {leaked}")
            page_403 = status == 403 and role in ("none", "staff") and not url.startswith("/api/")
            if page_403 and NO_ROLE_TEXT not in body:
                wrong.append(f"{cell} is a 403 without the no-role message")
    assert not wrong, "\n".join(wrong)


def test_no_role_api_answers_say_how_to_get_one(db):
    client = Client()
    client.force_login(UserFactory(username="nobody"))
    response = client.get("/api/v1/articles/")
    assert response.status_code == 403
    assert NO_ROLE_TEXT in response.json()["detail"]


def test_no_role_page_is_the_styled_403(db):
    client = Client()
    client.force_login(UserFactory(username="clerk", is_staff=True))
    response = client.get("/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<link rel="stylesheet"' in page and "No role yet" in page and NO_ROLE_TEXT in page
    assert 'href="/admin/"' not in page  # staff alone is no way into the admin either


def test_moderators_my_work_links_the_queue_with_the_open_flag_count(db):
    build_world()
    # Open: the flags on the visible, draft and published claims (hiding or retracting a claim
    # resolves its flags, hiding a source its own).
    assert Flag.objects.filter(status="open").count() == 3
    client = Client()
    client.force_login(UserFactory(username="reader-mod", roles=["Moderator"]))
    page = client.get("/").content.decode()
    assert 'href="/admin/moderation/"' in page
    assert 'data-testid="count-open-flags">3<' in page
    editor = Client()
    editor.force_login(UserFactory(username="reader-editor", roles=["Editor"], is_staff=True))
    assert "count-open-flags" not in editor.get("/").content.decode()


# --- Every URL has a row --------------------------------------------------------------------------


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_every_url_has_a_row_in_the_table(db):
    world = build_world()
    covered = {
        resolve(row.url.format(**world.states["visible"]).split("?")[0]).route
        for row in ROWS.values()
    }
    missing = [
        route
        for route in _routes(get_resolver().url_patterns)
        # The admin is walked model by model in tests/moderation/test_admin_pages.py; DRF's
        # `.json` suffix routes answer as their plain route does.
        if not route.startswith("admin/")
        and "(?P<format>" not in route
        and "<drf_format_suffix:format>" not in route
    ]
    missing = [route for route in missing if route not in covered]
    assert not missing, f"URL patterns without a row in the read truth table: {missing}"


@pytest.mark.parametrize("role", ["reviewer", "editor", "moderator"])
def test_my_work_runs_a_fixed_number_of_queries(db, django_assert_max_num_queries, role):
    build_world()
    ArticleFactory.create_batch(20)
    client = Client()
    client.force_login(user_for(role))
    with django_assert_max_num_queries(14):  # session, user, roles, counts, lists, changed claims
        response = client.get("/")
    assert response.status_code == 200


# --- The predicates -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_can_see_and_can_change_agree_with_the_table(db, role):
    from annotations import access
    from annotations.models import Article, Claim, Comment

    world = build_world()
    user = user_for(role)
    for state in STATES:
        claim = Claim.objects.get(pk=world.states[state]["claim"])
        comment = Comment.objects.get(pk=world.states[state]["comment"])
        visible = claim_visible(role, state)
        assert access.can_see(user, claim) is visible, (role, state)
        assert access.can_see(user, comment) is visible, (role, state)
        assert access.can_change(user, claim) is (visible and role in WRITERS), (role, state)
        article = Article.objects.get(pk=world.states[state]["article"])
        assert access.can_change(user, article) is (role in EDITORS), (role, state)
    flag = Flag.objects.first()
    assert access.can_see(user, flag) is (role in MODERATORS)
    assert access.can_change(user, flag) is (role in MODERATORS)
    import_job = ImportJob.objects.get()
    assert access.can_see(user, import_job) is (role in {"editor", "moderator", "admin"})
    assert access.may_use_admin(user) is (role in {"editor", "moderator", "admin"})


def test_users_of_one_content_audience_see_the_same_content(db):
    # The reviewer's page is cached per audience (annotations.api.reader): two users share a
    # cached page only if the policy shows them the same rows of everything it is built from.
    from django.contrib.auth.models import AnonymousUser

    from annotations import access
    from annotations.models import Article, Claim, Comment, Correction, Sentence, Source

    build_world()
    content = (Article, Sentence, Claim, Source, Comment, Verdict, Correction)
    seen: dict[str, tuple] = {}
    for role in ROLES:
        user = AnonymousUser() if role == "anonymous" else user_for(role)
        rows = tuple(
            frozenset(access.visible_to(user, model).values_list("pk", flat=True))
            for model in content
        )
        audience = access.content_audience(user)
        assert seen.setdefault(audience, rows) == rows, (role, audience)
    assert set(seen) == {"none", "desk", "moderators"}
    assert len(set(seen.values())) == 3  # and the audiences see different content
