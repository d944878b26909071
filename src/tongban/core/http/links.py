"""Where an object is seen: each app names the page of its objects once, when Django starts
(``register_page("documents.document", "documents:detail")``), so that a notification, the inbox
or a process page can link to it without importing the app that owns it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

_pages: dict[str, str] = {}
_lists: dict[str, str] = {}


def register_page(object_type: str, url_name: str) -> None:
    """``url_name`` takes the object's id as its one argument."""
    _pages[object_type] = url_name


def register_list(object_type: str, url_name: str) -> None:
    """A list page for objects without a page of their own (certificates, say)."""
    _lists[object_type] = url_name


def page_of(object_type: str, object_id: str | int | None) -> str:
    """The URL of the object's page, or its list's; "" when there is none."""
    try:
        if object_type in _pages and object_id is not None and str(object_id).isdecimal():
            return reverse(_pages[object_type], args=[int(object_id)])
        if object_type in _lists:
            return reverse(_lists[object_type])
    except NoReverseMatch:
        return ""
    return ""
