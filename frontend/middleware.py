"""Query strings the pages cannot take: a NUL character is a 400 page, before any view runs."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def holds_nul(params: QueryDict) -> bool:
    """Whether a parameter's name or any of its values holds a NUL character."""
    return any(
        "\x00" in name or any("\x00" in v for v in values) for name, values in params.lists()
    )


class RefuseNulInQueryMiddleware:
    """A NUL character anywhere in the query string of a page is a styled 400.

    PostgreSQL refuses NUL in text, so `?q=%00` reaching a filter was a 500 (the public index,
    my work's search and language, the admin's search). No stored text holds one, so no search
    can want it. The API is left to its filters, whose fields answer a 400 naming the parameter
    ("Null characters are not allowed."), as the pages now answer one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and holds_nul(request.GET):
            message = _(
                "The address holds a NUL character (code 0), which no search or filter takes."
            )
            return HttpResponse(render_to_string("400.html", {"message": message}), status=400)
        return self.get_response(request)
