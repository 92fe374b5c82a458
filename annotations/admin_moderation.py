"""The admin site: open to staff and to moderators, with the moderation queue.

Moderators need not be staff: holding the Moderator role is enough to sign in (so granting the
role is one step, and revoking it closes the admin). What they may see and do inside is decided by
the ModelAdmins in `annotations.admin` and the Moderator group's permissions (migration 0003).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access, moderation
from .models import Flag, Verdict

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise  # a text, or a lazy one


class ModeratorAuthenticationForm(AdminAuthenticationForm):
    """Django's admin login form, which also lets moderators in."""

    def confirm_login_allowed(self, user) -> None:
        if access.may_use_admin(user):
            return super(AdminAuthenticationForm, self).confirm_login_allowed(user)
        raise ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"username": self.username_field.verbose_name},
        )


class FactcheckAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Fact-check administration")
    site_title = gettext_lazy("Fact-check admin")
    index_title = gettext_lazy("Administration and moderation")
    login_form = ModeratorAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return access.may_use_admin(request.user)

    def get_urls(self):
        return [
            path(
                "moderation/",
                self.admin_view(self.moderation_queue),
                name="moderation_queue",
            ),
            *super().get_urls(),
        ]

    def get_app_list(self, request: HttpRequest, app_label=None) -> list[dict]:
        """The apps, with the moderation queue first for moderators: on the index page and in
        the sidebar (both read this list)."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None or not moderation.is_moderator(request.user):
            return apps
        url = reverse(f"{self.name}:moderation_queue")
        queue = {
            "name": _("Moderation"),
            "app_label": "moderation",
            "app_url": url,
            "has_module_perms": True,
            "models": [
                {
                    "name": _("Moderation queue (open flags)"),
                    "object_name": "ModerationQueue",
                    "perms": {"view": True},
                    "admin_url": url,
                    "add_url": None,
                    "view_only": True,
                }
            ],
        }
        return [queue, *apps]

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        context["is_moderator"] = moderation.is_moderator(request.user)
        return context

    def moderation_queue(self, request: HttpRequest) -> HttpResponse:
        """Open flags grouped by object, oldest first; hide the object or dismiss its flags."""
        if not moderation.is_moderator(request.user):
            raise PermissionDenied
        if request.method == "POST":
            return self._act_on_group(request)
        page = Paginator(moderation.open_flag_groups(user=request.user), 25).get_page(
            request.GET.get("page")
        )
        groups = _load_groups(list(page.object_list), user=request.user)
        context = {
            **self.each_context(request),
            "title": _("Moderation queue"),
            "page": page,
            "groups": groups,
        }
        return TemplateResponse(request, "admin/annotations/moderation_queue.html", context)

    def _act_on_group(self, request: HttpRequest) -> HttpResponse:
        try:
            type_id, object_id = int(request.POST["content_type"]), int(request.POST["object_id"])
        except (KeyError, ValueError):
            raise Http404(_("No such object.")) from None
        content_type = get_object_or_404(ContentType, pk=type_id)
        model = content_type.model_class()
        if model not in moderation.FLAGGABLE:
            raise PermissionDenied
        # The flagged object may have been deleted since: its flags can still be dismissed.
        target = access.visible_to(request.user, model).filter(pk=object_id).first()
        reason = request.POST.get("reason", "")
        operation = request.POST.get("operation")
        try:
            if operation == "hide" and target is not None:
                moderation.hide_content(target=target, moderator=request.user, reason=reason)
                messages.success(request, _("Hidden: %(object)s.") % {"object": target})
            elif operation == "dismiss":
                flags = access.flags_visible_to(request.user).filter(
                    content_type=content_type, object_id=object_id, status=Flag.Status.OPEN
                )
                for flag in flags:
                    moderation.dismiss_flag(flag=flag, moderator=request.user, reason=reason)
                messages.success(
                    request,
                    _("Flags dismissed on %(kind)s #%(id)s.")
                    % {"kind": content_type.name, "id": object_id},
                )
            else:
                messages.error(request, _("Choose hide or dismiss."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(
            reverse(f"{self.name}:moderation_queue") + "?" + request.GET.urlencode()
        )


def _load_groups(rows: list[dict], *, user) -> list[dict]:
    """Attach the objects and their open flags to a page of flag groups, in a fixed few queries."""
    if not rows:
        return []
    wanted: dict[int, set[int]] = {}
    for row in rows:
        wanted.setdefault(row["content_type"], set()).add(row["object_id"])
    types = ContentType.objects.in_bulk(list(wanted))
    objects = {}
    for type_id, ids in wanted.items():
        model = types[type_id].model_class()
        if model is None:  # a content type whose model is gone: its rows show as deleted
            continue
        queryset = access.visible_to(user, model).filter(pk__in=ids)
        if model is not moderation.FLAGGABLE[0]:
            queryset = queryset.select_related("claim")
        objects.update({(type_id, obj.pk): obj for obj in queryset})
    match = Q()
    for row in rows:
        match |= Q(content_type_id=row["content_type"], object_id=row["object_id"])
    flags: dict[tuple[int, int], list[Flag]] = {}
    for flag in (
        access.flags_visible_to(user)
        .filter(match, status=Flag.Status.OPEN)
        .select_related("created_by")
        .order_by("created_at", "pk")
    ):
        flags.setdefault((flag.content_type_id, flag.object_id), []).append(flag)
    groups = []
    for row in rows:
        key = (row["content_type"], row["object_id"])
        obj = objects.get(key)
        groups.append(
            {
                "content_type": types[row["content_type"]],
                "object_id": row["object_id"],
                "object": obj,
                "text": _text_of(obj),
                "is_hidden": getattr(obj, "is_hidden", False),
                "reviewer_url": moderation.reviewer_url(obj)
                if isinstance(obj, moderation.FLAGGABLE)
                else "",
                "admin_url": reverse(
                    f"admin:annotations_{types[row['content_type']].model}_change",
                    args=[row["object_id"]],
                ),
                "count": row["count"],
                "oldest": row["oldest"],
                "flags": flags.get(key, []),
            }
        )
    return groups


def _text_of(obj) -> str:
    if obj is None:
        return _("(deleted)")
    for field in ("text", "quote_exact", "body", "quote", "url"):
        value = getattr(obj, field, "")
        if value:
            return value
    return str(obj)


# --- What the ModelAdmins in annotations/admin.py share -----------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=10000,
        help_text=gettext_lazy("Kept in the audit trail."),
    )

    def __init__(self, *args, label: "StrOrPromise" = "", help_text: "StrOrPromise" = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label or _("Reason")
        if help_text:
            self.fields["reason"].help_text = help_text


def reason_action(
    *,
    name: str,
    description: "StrOrPromise",
    perform: Callable[..., object],
    label: "StrOrPromise" = "",
    help_text: "StrOrPromise" = "",
):
    """An admin action that first asks for a reason (an intermediate page), then calls
    `perform(request=..., obj=..., reason=...)` (a service function) on each selected object.

    Objects the service refuses are reported by name with its message; the others go through.
    """

    def action(modeladmin, request, queryset):
        form = ReasonForm(
            request.POST if "confirm" in request.POST else None,
            label=label,
            help_text=help_text,
        )
        if form.is_valid():
            done, refused = 0, []
            for obj in queryset:
                try:
                    perform(request=request, obj=obj, reason=form.cleaned_data["reason"])
                    done += 1
                except (ValidationError, PermissionDenied) as error:
                    detail = " ".join(getattr(error, "messages", [str(error)]))
                    refused.append(f"{obj}: {detail}")
            if done:
                modeladmin.message_user(
                    request,
                    _("%(action)s: %(count)s done.") % {"action": description, "count": done},
                    messages.SUCCESS,
                )
            if refused:
                modeladmin.message_user(
                    request,
                    _("Refused: %(objects)s") % {"objects": "; ".join(refused[:20])},
                    messages.ERROR,
                )
            return None  # back to the changelist
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "form": form,
            "action": name,
        }
        return TemplateResponse(request, "admin/annotations/action_reason.html", context)

    action.__name__ = name
    return admin.action(description=description, permissions=["moderate"])(action)


def _hide(*, request, obj, reason):
    moderation.hide_content(target=obj, moderator=request.user, reason=reason)


def _unhide(*, request, obj, reason):
    moderation.unhide_content(target=obj, moderator=request.user, reason=reason)


hide_action = reason_action(
    name="hide_selected", description=gettext_lazy("Hide selected"), perform=_hide
)
unhide_action = reason_action(
    name="unhide_selected", description=gettext_lazy("Unhide selected"), perform=_unhide
)


def _retract(*, request, obj, reason):
    verdict = obj if isinstance(obj, Verdict) else obj.published_verdict
    if verdict is None:
        raise ValidationError(_("It has no published verdict."))
    moderation.retract_verdict(verdict=verdict, moderator=request.user, note=reason)


retract_action = reason_action(
    name="retract_selected",
    description=gettext_lazy("Retract the published verdict"),
    perform=_retract,
    label=gettext_lazy("Correction note"),
    help_text=gettext_lazy("Shown publicly with the claim, as the corrections policy requires."),
)


def _dismiss(*, request, obj, reason):
    moderation.dismiss_flag(flag=obj, moderator=request.user, reason=reason)


def _hide_flagged(*, request, obj, reason):
    target = obj.target
    if target is None:
        raise ValidationError(_("The flagged object no longer exists."))
    if target.is_hidden:
        return  # several flags on one object: the first hid it and resolved the others
    moderation.hide_content(target=target, moderator=request.user, reason=reason)


dismiss_action = reason_action(
    name="dismiss_selected", description=gettext_lazy("Dismiss selected flags"), perform=_dismiss
)
hide_flagged_action = reason_action(
    name="hide_flagged",
    description=gettext_lazy("Hide the flagged content"),
    perform=_hide_flagged,
)


def _deactivate(*, request, obj, reason):
    moderation.deactivate_user(user=obj, moderator=request.user, reason=reason)


def _reactivate(*, request, obj, reason):
    moderation.reactivate_user(user=obj, moderator=request.user, reason=reason)


deactivate_action = reason_action(
    name="deactivate_selected",
    description=gettext_lazy("Deactivate selected users"),
    perform=_deactivate,
)
reactivate_action = reason_action(
    name="reactivate_selected",
    description=gettext_lazy("Reactivate selected users"),
    perform=_reactivate,
)


# The mixins below are for ModelAdmins; mypy checks them as one (at run time they stay mixins).
if TYPE_CHECKING:
    _ModelAdminMixin = admin.ModelAdmin[Any]
else:
    _ModelAdminMixin = object


class FollowsAccessPolicy(_ModelAdminMixin):
    """A ModelAdmin whose rows are those `annotations.access` lets the user see: its changelist,
    change pages, actions and history start from `access.visible_to`, never `Model.objects`
    (on top of Django's model permissions, which say whether the page opens at all)."""

    def get_queryset(self, request: HttpRequest):
        queryset = access.visible_to(request.user, self.model)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or access.can_see(request.user, obj))

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        # The model permission first, as the change page does: no "does not exist" redirect
        # for a user who may not open this model's pages at all.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


class ReadOnlyContent(FollowsAccessPolicy):
    """Content is written only through the services and moderation steps (their checks and audit
    events): the admin shows it, and changes it only by its audited actions (hide, unhide,
    retract, dismiss). No add, change or delete form could move a claim's span without its quote
    and sentences, publish without a verdict, or hide without a reason."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ModerationMixin(ReadOnlyContent):
    """For the ModelAdmins of moderated content: read-only, moderator-only actions, and the audit
    trail as the object's History page."""

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return moderation.is_moderator(request.user)

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            # Django's own "does not exist" redirect, as its history page gives; private, so
            # the stubs leave it out.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(object)s") % {"object": obj},
            "opts": self.opts,
            "object": obj,
            "events": moderation.object_history(obj, user=request.user),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/annotations/object_history.html", context)
