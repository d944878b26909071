from django.urls import path

from tongban.documents.views import importing, incoming, outgoing, review

app_name = "documents"

urlpatterns = [
    path("documents/", outgoing.documents, name="list"),
    path("documents/new/", outgoing.document_new, name="new"),
    path("documents/<int:document_id>/", outgoing.document_detail, name="detail"),
    path("documents/<int:document_id>/edit/", outgoing.document_edit, name="edit"),
    path("documents/<int:document_id>/versions/", outgoing.document_versions, name="versions"),
    path("documents/<int:document_id>/pdf", outgoing.document_pdf, name="pdf"),
    path("documents/<int:document_id>/slip.pdf", outgoing.document_slip, name="slip"),
    path("documents/<int:document_id>/package.zip", outgoing.document_package, name="package"),
    path(
        "documents/<int:document_id>/attachments/<int:attachment_id>",
        outgoing.attachment_download,
        name="attachment",
    ),
    path("documents/incoming/", incoming.incoming_list, name="incoming_list"),
    path("documents/incoming/new/", incoming.incoming_new, name="incoming_new"),
    path("documents/incoming/<int:item_id>/", incoming.incoming_detail, name="incoming_detail"),
    path("documents/incoming/<int:item_id>/slip.pdf", incoming.incoming_slip, name="incoming_slip"),
    path("documents/reading/", incoming.reading, name="reading"),
    path("documents/register/", outgoing.outgoing_register, name="outgoing_register"),
    path("documents/import/", importing.import_start, name="import_start"),
    path("documents/import/<int:batch_id>/", importing.import_batch, name="import_batch"),
    path("documents/review/", review.review_list, name="review_list"),
    path("documents/review/<int:review_id>/", review.review_detail, name="review"),
    path("documents/seal/", outgoing.seal_queue, name="seal_queue"),
]
