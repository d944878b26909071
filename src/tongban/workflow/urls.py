from django.urls import path

from tongban.workflow import views

app_name = "workflow"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("workflow/tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("workflow/instances/<int:instance_id>/", views.instance_detail, name="instance_detail"),
    path("workflow/definitions/", views.definitions, name="definitions"),
    path("workflow/start/", views.start_list, name="start_list"),
    path("workflow/start/<str:key>/", views.start_process, name="start"),
    path("workflow/monitor/", views.monitor, name="monitor"),
    path("workflow/monitor/<int:instance_id>/", views.monitor_instance, name="monitor_instance"),
    path("workflow/definitions/<str:key>/model/", views.modeler, name="modeler"),
]
