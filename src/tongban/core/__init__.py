"""core (layer 1): calendar, identifiers, numbering, files, errors, jobs."""
