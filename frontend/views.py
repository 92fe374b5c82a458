"""The reviewer UI's pages.

Each page is a Django template with the user and their roles; the pages that change data (the
reader, import, export) are small ES modules calling the REST API, so the UI has no rules of
its own: the API enforces them. "My work" is a plain server-rendered list with a search form.
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from annotations import access, roles, selectors
from annotations.models import Article, Flag
from annotations.search import search_articles
from annotations.services import revisions
from annotations.throttling import sign_in_attempts

ARTICLES_PER_PAGE = 50


def _page(request: HttpRequest, template: str, *, status: int = 200, **context) -> HttpResponse:
    """Render a page with what every page shows: the user's roles (in the header)."""
    user_roles = sorted(roles.roles_of(request.user))
    context.update(
        user_roles=user_roles,
        role_labels=[str(roles.DISPLAY_NAMES[name]) for name in user_roles],
        is_editor=roles.EDITOR in user_roles,
        is_moderator=roles.MODERATOR in user_roles,
        uses_admin=access.may_use_admin(request.user),
        roles_attr=" ".join(user_roles),
    )
    return render(request, f"frontend/{template}", context, status=status)


def role_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else the login page) and in a role (else a 403 page saying how to get one).

    The pages show nothing to a user without a role, as the API answers them 403: not a title,
    not a count. Staff status alone is no role.
    """

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not access.has_a_role(request.user):
            return _page(request, "no_role.html", status=403, message=access.NO_ROLE_MESSAGE)
        return view(request, *args, **kwargs)

    return wrapped


@method_decorator(sign_in_attempts, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "frontend/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out by POST (a form in the header), as Django requires since 5.0."""


def _article_filters(request: HttpRequest):
    claims = access.claims_visible_to(request.user).filter(article=OuterRef("pk"))
    claim_count = claims.order_by().values("article").annotate(n=Count("pk")).values("n")
    articles = (
        access.articles_visible_to(request.user)
        .select_related("assignee")
        .annotate(claim_count=Coalesce(Subquery(claim_count), 0))
        .order_by("-created_at", "-id")
    )
    query = request.GET.get("q", "").strip()
    if query:  # the API's search (`GET /api/v1/articles/?q=`): title and body
        articles = search_articles(articles, query)
    status = request.GET.get("status", "")
    if status in Article.Status.values:
        articles = articles.filter(status=status)
    language = request.GET.get("language", "").strip()
    if language:
        articles = articles.filter(language=language)
    if request.GET.get("mine"):
        articles = articles.filter(assignee_id=request.user.pk)
    job = request.GET.get("import", "")
    if job.isdigit():
        articles = articles.filter(import_job_id=int(job))
    return articles


@role_required
def my_work(request: HttpRequest) -> HttpResponse:
    """Articles assigned to me, claims awaiting my verdict, verdicts awaiting my approval, and
    for moderators the open flags."""
    user = request.user
    # The same querysets as the API's `me/` counts: the page and the API always agree.
    assigned = selectors.assigned_open_articles(user=user)
    assigned_first = selectors.by_top_checkworthiness(assigned)  # the claims that matter first
    awaiting_verdict = (
        selectors.claims_awaiting_verdict(user=user)
        .select_related("article")
        .order_by("-updated_at", "-id")
    )
    awaiting_approval = (
        selectors.verdicts_to_review(user=user)
        .select_related("claim__article", "rating", "author")
        .order_by("created_at", "id")
    )
    # Living articles: claims whose text a new revision changed or removed, for re-review.
    text_changed = selectors.claims_with_changed_text(user=user)
    articles = Paginator(_article_filters(request), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return _page(
        request,
        "my_work.html",
        assigned=assigned_first[:20],
        assigned_count=assigned.count(),
        awaiting_verdict=awaiting_verdict[:20],
        awaiting_verdict_count=awaiting_verdict.count(),
        awaiting_approval=awaiting_approval[:20],
        awaiting_approval_count=awaiting_approval.count(),
        open_flag_count=access.flags_visible_to(user).filter(status=Flag.Status.OPEN).count(),
        text_changed=text_changed[:20],
        text_changed_count=text_changed.count(),
        articles=articles,
        statuses=Article.Status.choices,
        filters=request.GET,
        query_string=params.urlencode(),
    )


TRIAGE_SENTENCES = 50
FIRST_DAY = date(1970, 1, 1)


@role_required
def triage_page(request: HttpRequest) -> HttpResponse:
    """The day's most check-worthy unmarked sentences across the articles stored that day
    (`?day=YYYY-MM-DD`, UTC; default today); for editors also the learned models' figures."""
    today = timezone.now().date()
    raw = request.GET.get("day", "").strip()
    day, error = today, ""
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            error = _("“%(raw)s” is not a day: use YYYY-MM-DD. Showing today.") % {"raw": raw[:40]}
        else:
            if not FIRST_DAY <= day <= today:
                error = _("Pick a day from 1970-01-01 to today (%(today)s). Showing today.") % {
                    "today": today.isoformat()
                }
                day = today
    sentences = selectors.daily_top_sentences(user=request.user, day=day, limit=TRIAGE_SENTENCES)
    models = access.checkworthiness_models_visible_to(request.user)[:10]
    return _page(
        request,
        "triage.html",
        status=400 if error else 200,
        day=day,
        today=today,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1) if day < today else None,
        error=error,
        sentences=sentences,
        models=list(models) if roles.has_role(request.user, roles.EDITOR) else [],
    )


@role_required
def import_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "import.html")


@role_required
def article_reader(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(access.articles_visible_to(request.user), pk=pk)
    older = list(article.revisions.order_by("number").only("number", "source", "created_at"))[:-1]
    return _page(request, "reader.html", article=article, older_revisions=older)


@role_required
def article_revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An older text of an article, read-only, in its paragraphs (living articles)."""
    article = get_object_or_404(access.articles_visible_to(request.user), pk=pk)
    all_revisions = revisions.revisions_of(article)
    revision = next((r for r in all_revisions if r.number == number), None)
    if revision is None:
        raise Http404(_("The article has no such revision."))
    current = revision is all_revisions[-1]
    paragraphs: dict[int, list[str]] = {}
    for sentence in revisions.revision_sentences(revision, current=current):
        paragraphs.setdefault(sentence.paragraph, []).append(sentence.text)
    return _page(
        request,
        "revision.html",
        article=article,
        revision=revision,
        current=current,
        paragraphs=[" ".join(texts) for _, texts in sorted(paragraphs.items())],
        revisions=all_revisions,
    )


@role_required
def export_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "export.html", formats=["jsonl", "csv", "claimreview", "webannotation"])
