from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "tongban.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from tongban.core import jobs, labels
        from tongban.core.http import links
        from tongban.workflow import labels as workflow_labels
        from tongban.workflow import services

        links.register_page("workflow.task", "workflow:task_detail")
        links.register_page("workflow.processinstance", "workflow:instance_detail")
        post_migrate.connect(services.load_shipped_processes, sender=self)
        jobs.register("workflow.fire_due_timers", 30, services.fire_due_timers)
        labels.register_actions(workflow_labels.ACTIONS)
        labels.register_object_types(workflow_labels.OBJECT_TYPES)
