"""What the records' audited actions and objects are called (core.labels)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "records.archive": _("Archive a record"),
    "records.fonds.create": _("Create a fonds"),
    "records.fonds.update": _("Edit a fonds"),
    "records.file.download": _("Download an archived file"),
    "records.fixity.check": _("Check a record's fixity"),
    "records.fixity.sweep": _("Scheduled fixity check"),
    "records.package.export": _("Export a transfer package"),
    "records.package.verify": _("Verify a transfer package"),
    "records.appraisal.keep": _("Keep a record after appraisal"),
    "records.disposal.propose": _("Propose a disposal"),
    "records.disposal.approve": _("Approve a disposal"),
    "records.disposal.reject": _("Reject a disposal"),
}

OBJECT_TYPES = {
    "records.record": _("Record"),
    "records.fonds": _("Fonds"),
    "records.recordfile": _("Archived file"),
    "records.package": _("Transfer package"),
    "records.appraisal": _("Appraisal"),
}
