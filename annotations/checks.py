"""System checks (`manage.py check`, and every command that runs them) for our own settings."""

from django.conf import settings
from django.core.checks import Error, register

from annotations.exporting.formats import FORMATS


@register()
def export_schedule_formats(app_configs, **kwargs) -> list[Error]:
    """A misspelt format in the periodic export would fail only at 3 a.m., in the worker log."""
    unknown = [fmt for fmt in settings.EXPORT_SCHEDULE_FORMATS if fmt not in FORMATS]
    if not unknown:
        return []
    return [
        Error(
            f"EXPORT_SCHEDULE_FORMATS names unknown export formats: {', '.join(unknown)}.",
            hint=f"Choose from: {', '.join(FORMATS)}.",
            id="annotations.E001",
        )
    ]
