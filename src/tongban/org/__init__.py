"""org (layer 2): departments, positions, staff, roles, delegation and the access policy."""
