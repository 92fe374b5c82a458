from django.apps import AppConfig
from django.apps import apps as global_apps

# The module, not the class: a second AppConfig class in this namespace would be a candidate
# for the app's default config.
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Fact-check annotations"

    def ready(self) -> None:
        # Connects the m2m_changed receiver that audits role (group) changes; registers checks.
        from . import checks, moderation  # noqa: F401

        post_migrate.connect(_ensure_defaults, sender=self)
        # After the groups exist again: the Moderator group's view permissions (also after flush).
        post_migrate.connect(_grant_moderator_views, sender=self)


def _ensure_defaults(sender, apps=global_apps, **kwargs) -> None:
    """After migrate, and after every flush (tests empty tables), put the roles and scale back.

    `flush` sends post_migrate without `apps`: then the live registry stands in.
    """
    from .defaults import ensure_defaults

    ensure_defaults(apps)


def _grant_moderator_views(sender, apps=global_apps, **kwargs) -> None:
    from .moderation import grant_moderator_views

    grant_moderator_views(apps)


class FactcheckAdminConfig(admin_apps.AdminConfig):
    """The admin, served by a site that also admits moderators (see annotations.admin_moderation).

    Listed in INSTALLED_APPS in place of "django.contrib.admin".
    """

    default = False  # never the default config of `annotations`
    default_site = "annotations.admin_moderation.FactcheckAdminSite"
