"""The review queue of imported documents (待核对): imported documents whose elements were not
found, or not found with certainty, listed for the clerks who see them; one page per document
shows what is missing next to each element and lets the clerk complete it. Thin: selectors read,
``importing.complete_review`` checks permission, writes, audits and re-indexes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import ServiceError
from tongban.core.http.forms import service_errors
from tongban.core.http.views import GET_POST, handles_not_found, paginate
from tongban.documents import forms, importing, selectors
from tongban.documents.models import ImportReview, display_value
from tongban.identity.http import StaffRequest


def _initial(review: ImportReview) -> dict[str, Any]:
    document = review.document
    return {
        "title": document.title,
        "issuing_authority": document.issuing_authority,
        "doc_number": document.doc_number,
        "date_written": document.date_written,
        "doc_type": document.doc_type,
    }


@login_required
@handles_not_found
@require_http_methods(["GET", "HEAD"])
def review_list(request: StaffRequest) -> HttpResponse:
    page, _query = paginate(request, selectors.import_reviews(request.user), 50)
    return render(
        request,
        "documents/review/list.html",
        {"page": page, "section": "documents", "tab": "review"},
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def review_detail(request: StaffRequest, review_id: int) -> HttpResponse:
    review = selectors.import_review_for(request.user, review_id)
    form = forms.ImportReviewForm(request.POST or None, initial=_initial(review))
    if request.method == "POST" and form.is_valid():
        try:
            document = importing.complete_review(
                request.user, review.pk, importing.ReviewIn(**form.cleaned_data)
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Completed: %(title)s") % {"title": document.title})
            return redirect("documents:review_list")
    checks = {row.name: row for row in review.checks}
    fields = [
        {"field": form[name], "check": checks.get(name)}
        for name in ("title", "issuing_authority", "doc_number", "date_written", "doc_type")
    ]
    return render(
        request,
        "documents/review/detail.html",
        {
            "review": review,
            "document": review.document,
            "form": form,
            "fields": fields,
            "joint": display_value(
                "issuers", (review.recognised.get("issuers") or {}).get("value")
            ),
            "section": "documents",
            "tab": "review",
        },
        status=422 if request.method == "POST" else 200,
    )
