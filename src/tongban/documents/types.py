"""The fixed vocabularies of official documents (公文): GB/T 9704-2012 and the 2012 Regulations on
the Handling of Official Documents of Party and Government Organs (党政机关公文处理工作条例, art. 8).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Classification


class DocumentType(models.TextChoices):
    """公文种类: the 15 types of art. 8. The stored value is the Chinese name itself: it is what a
    title ends with (关于……的通知) and what every register prints."""

    RESOLUTION = "决议", _("Resolution (决议)")
    DECISION = "决定", _("Decision (决定)")
    ORDER = "命令", _("Order (命令/令)")
    COMMUNIQUE = "公报", _("Communiqué (公报)")
    ANNOUNCEMENT = "公告", _("Announcement (公告)")
    PUBLIC_NOTICE = "通告", _("Public notice (通告)")
    OPINION = "意见", _("Opinion (意见)")
    NOTICE = "通知", _("Notice (通知)")
    BULLETIN = "通报", _("Bulletin (通报)")
    REPORT = "报告", _("Report (报告)")
    REQUEST = "请示", _("Request for instructions (请示)")
    REPLY = "批复", _("Reply (批复)")
    MOTION = "议案", _("Motion (议案)")
    LETTER = "函", _("Letter (函)")
    MINUTES = "纪要", _("Minutes (纪要)")


# 上行文: documents sent up to a superior organ print the signer (签发人) in the header.
UPWARD_TYPES = frozenset({DocumentType.REPORT, DocumentType.REQUEST, DocumentType.MOTION})


class Urgency(models.TextChoices):
    """紧急程度."""

    NONE = "", _("Normal")
    URGENT = "加急", _("Urgent (加急)")
    EXTRA_URGENT = "特急", _("Extra urgent (特急)")


# 密级 as GB/T 9704 prints it; "internal" (内部) and unclassified print nothing.
CLASSIFICATION_MARKS: dict[int, str] = {
    Classification.SECRET: "秘密",
    Classification.CONFIDENTIAL: "机密",
    Classification.TOP_SECRET: "绝密",
}


class Retention(models.TextChoices):
    """保管期限 (DA/T 22-2015): permanent, 30 years, 10 years."""

    PERMANENT = "Y", _("Permanent (永久)")
    YEARS_30 = "D30", _("30 years (定期30年)")
    YEARS_10 = "D10", _("10 years (定期10年)")
