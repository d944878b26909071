"""web (layer 5): the staff workbench and public layouts, sign-in and management pages."""
