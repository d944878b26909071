"""Records (归档): archived items with retention period and archival code, packages, appraisal."""
