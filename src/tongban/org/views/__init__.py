"""Organisation pages: ``organisation`` (departments, staff, roles), ``account`` (one's own
account and delegation) and ``calendar`` (working days and each year's holiday arrangement)."""
