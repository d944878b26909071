from django.urls import path

from tongban.org.views import account, calendar, organisation

app_name = "org"

urlpatterns = [
    path("account/", account.account, name="account"),
    path(
        "account/delegations/<int:delegation_id>/revoke/",
        account.delegation_revoke,
        name="delegation_revoke",
    ),
    path("org/departments/", organisation.departments, name="departments"),
    path("org/departments/new/", organisation.department_edit, name="department_new"),
    path("org/departments/<str:code>/", organisation.department_detail, name="department_detail"),
    path("org/departments/<str:code>/edit/", organisation.department_edit, name="department_edit"),
    path("org/staff/", organisation.staff_list, name="staff_list"),
    path("org/people/suggest/", organisation.people_suggest, name="people_suggest"),
    path("org/staff/new/", organisation.staff_edit, name="staff_new"),
    path("org/staff/import/", organisation.staff_import, name="staff_import"),
    path("org/staff/<int:staff_id>/", organisation.staff_detail, name="staff_detail"),
    path("org/staff/<int:staff_id>/edit/", organisation.staff_edit, name="staff_edit"),
    path("org/staff/<int:staff_id>/personal-data/", organisation.staff_reveal, name="staff_reveal"),
    path(
        "org/staff/<int:staff_id>/clearance/", organisation.staff_clearance, name="staff_clearance"
    ),
    path(
        "org/staff/<int:staff_id>/active/", organisation.staff_set_active, name="staff_set_active"
    ),
    path(
        "org/staff/<int:staff_id>/reset-password/",
        organisation.staff_reset_password,
        name="staff_reset_password",
    ),
    path("org/roles/", organisation.roles, name="roles"),
    path("org/roles/<str:code>/", organisation.role_detail, name="role_detail"),
    path(
        "org/role-assignments/<int:assignment_id>/revoke/",
        organisation.role_revoke,
        name="role_revoke",
    ),
    path("admin/calendar/", calendar.calendar_page, name="calendar"),
    path("admin/calendar/years/", calendar.calendar_years, name="calendar_years"),
    path("admin/calendar/years/<int:year>/", calendar.calendar_year, name="calendar_year"),
    path(
        "admin/calendar/years/<int:year>/withdraw/",
        calendar.calendar_year_withdraw,
        name="calendar_year_withdraw",
    ),
]
