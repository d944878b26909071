from django.urls import path

from tongban.web import views, views_notifications, views_workflow

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("account/password/", views.change_password, name="change_password"),
    path("account/", views.account, name="account"),
    path("account/totp/", views.totp_setup, name="totp_setup"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path(
        "account/delegations/<int:delegation_id>/revoke/",
        views.delegation_revoke,
        name="delegation_revoke",
    ),
    path("workbench/", views.workbench, name="workbench"),
    path("org/departments/", views.departments, name="departments"),
    path("org/departments/new/", views.department_edit, name="department_new"),
    path("org/departments/<str:code>/", views.department_detail, name="department_detail"),
    path("org/departments/<str:code>/edit/", views.department_edit, name="department_edit"),
    path("org/staff/", views.staff_list, name="staff_list"),
    path("org/staff/new/", views.staff_edit, name="staff_new"),
    path("org/staff/import/", views.staff_import, name="staff_import"),
    path("org/staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("org/staff/<int:staff_id>/edit/", views.staff_edit, name="staff_edit"),
    path("org/staff/<int:staff_id>/personal-data/", views.staff_reveal, name="staff_reveal"),
    path("org/staff/<int:staff_id>/clearance/", views.staff_clearance, name="staff_clearance"),
    path("org/staff/<int:staff_id>/active/", views.staff_set_active, name="staff_set_active"),
    path(
        "org/staff/<int:staff_id>/reset-password/",
        views.staff_reset_password,
        name="staff_reset_password",
    ),
    path("org/roles/", views.roles, name="roles"),
    path("org/roles/<str:code>/", views.role_detail, name="role_detail"),
    path("org/role-assignments/<int:assignment_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("admin/calendar/", views.calendar_page, name="calendar"),
    path("inbox/", views_workflow.inbox, name="inbox"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path(
        "notifications/<int:note_id>/open/",
        views_notifications.open_notification,
        name="notification_open",
    ),
    path("notifications/read/", views_notifications.mark_all_read, name="notifications_read"),
    path("workflow/start/", views_workflow.start, name="workflow_start"),
    path("workflow/tasks/<int:task_id>/", views_workflow.task_detail, name="task_detail"),
    path(
        "workflow/instances/<int:instance_id>/",
        views_workflow.instance_detail,
        name="instance_detail",
    ),
    path("workflow/definitions/", views_workflow.definitions, name="definitions"),
    path("workflow/monitor/", views_workflow.monitor, name="monitor"),
    path("workflow/definitions/<str:key>/model/", views_workflow.modeler, name="modeler"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
]
