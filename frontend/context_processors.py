"""What every page's header and footer show: the organisation that publishes the fact-checks."""

from django.conf import settings
from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict:
    return {"organisation": settings.FACTCHECK_ORGANIZATION}
