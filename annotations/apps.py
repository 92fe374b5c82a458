from django.apps import AppConfig

# The module, not the class: a second AppConfig class in this namespace would be a candidate
# for the app's default config.
from django.contrib.admin import apps as admin_apps


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Fact-check annotations"

    def ready(self) -> None:
        # Connects the m2m_changed receiver that audits role (group) changes.
        from . import moderation  # noqa: F401


class FactcheckAdminConfig(admin_apps.AdminConfig):
    """The admin, served by a site that also admits moderators (see annotations.admin_moderation).

    Listed in INSTALLED_APPS in place of "django.contrib.admin".
    """

    default = False  # never the default config of `annotations`
    default_site = "annotations.admin_moderation.FactcheckAdminSite"
