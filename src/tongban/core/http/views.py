"""View helpers shared by every app: the not-found and refusal pages, and paging a list."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from tongban.core.errors import NotFound, ServiceError

View = Callable[..., HttpResponseBase]

NOT_FOUND_TEMPLATE = "core/not_found.html"
REFUSED_TEMPLATE = "core/refused.html"


def not_found(request: HttpRequest) -> HttpResponse:
    """The same page for what does not exist and what the person may not see."""
    return render(request, NOT_FOUND_TEMPLATE, status=404)


def refused(request: HttpRequest, message: Any, status: int = 403) -> HttpResponse:
    return render(request, REFUSED_TEMPLATE, {"message": message}, status=status)


def handles_not_found(view: View) -> View:
    """A service's ``NotFound`` becomes the not-found page; any other refusal that escapes the
    view becomes the refusal page with its message and status."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return not_found(request)
        except ServiceError as exc:
            return refused(request, exc.message, exc.status)

    return wrapper


def paginate(request: HttpRequest, rows: Any, per_page: int) -> tuple[Page, str]:
    """One page of ``rows`` (``?page=``) and the query string of the other filters, for the
    pager's links."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def year_param(value: str) -> int | None:
    """A year from a filter (``?year=2026``); anything else is no filter."""
    value = (value or "").strip()
    return int(value) if value.isdecimal() and 1900 <= int(value) <= 2100 else None


# Pages answer HEAD as they answer GET (a link checker, a monitor, curl -I).
GET_POST = ["GET", "HEAD", "POST"]
