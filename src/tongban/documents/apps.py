from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "tongban.documents"
    label = "documents"
    verbose_name = _("Official documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tongban.core import labels
        from tongban.core.http import links
        from tongban.core.permissions import Action
        from tongban.documents import incoming, services
        from tongban.documents import labels as documents_labels
        from tongban.documents.models import Document, IncomingItem
        from tongban.org.policy import Target, register
        from tongban.records import services as records
        from tongban.workflow import hooks

        register(
            Document,
            Target(
                view_action=Action.VIEW_DOCUMENTS,
                department="department",
                owner="drafter",
                classification="classification",
            ),
        )
        register(
            IncomingItem,
            Target(
                view_action=Action.VIEW_DOCUMENTS,
                department="department",
                classification="document__classification",
            ),
        )
        hooks.register(
            services.OUTGOING, services.OutgoingSteps(), process_key=services.OUTGOING_PROCESS
        )
        hooks.register(
            services.INCOMING, incoming.IncomingSteps(), process_key=incoming.INCOMING_PROCESS
        )
        records.on_disposal("documents.document", services.withdraw_after_disposal)
        links.register_page("documents.document", "documents:detail")
        links.register_page("documents.incomingitem", "documents:incoming_detail")
        # A step of a document's process is worked on the document's own page.
        links.register_page(services.OUTGOING, "documents:detail")
        links.register_page(services.INCOMING, "documents:incoming_detail")
        labels.register_actions(documents_labels.ACTIONS)
        labels.register_object_types(documents_labels.OBJECT_TYPES)
        labels.register_describer("documents.document", documents_labels.describe_elements)
        labels.register_describer("documents.incoming", documents_labels.describe_elements)
