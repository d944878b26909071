from django.urls import path

from tongban.org import views

app_name = "org"

urlpatterns = [
    path("account/", views.account, name="account"),
    path(
        "account/delegations/<int:delegation_id>/revoke/",
        views.delegation_revoke,
        name="delegation_revoke",
    ),
    path("org/departments/", views.departments, name="departments"),
    path("org/departments/new/", views.department_edit, name="department_new"),
    path("org/departments/<str:code>/", views.department_detail, name="department_detail"),
    path("org/departments/<str:code>/edit/", views.department_edit, name="department_edit"),
    path("org/staff/", views.staff_list, name="staff_list"),
    path("org/people/suggest/", views.people_suggest, name="people_suggest"),
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
]
