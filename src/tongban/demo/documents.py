"""Official documents for the demo city: outgoing documents at every step of their process,
issued ones in the receiving units' incoming registers at every step of theirs, circulated and
read, some archived; existing documents imported for several bureaus and years; documents from
outside organs. Everything goes through the same services a person uses (and is audited).

Seeded once: when the demo already has documents, nothing is added.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pyotp
from django.db import transaction
from django.utils import timezone

from tongban.audit.context import audit_context
from tongban.documents import importing, incoming, services
from tongban.documents.models import Document, IncomingItem
from tongban.identity.models import User
from tongban.org.models import Department, RoleAssignment, Staff
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

SUBJECTS = [
    "做好冬季安全生产工作",
    "开展营商环境评价工作",
    "推进政务服务一网通办",
    "加强政务信息报送",
    "做好2026年度部门预算编制",
    "开展教育经费统计",
    "加强城市基础设施建设管理",
    "推进数据资源共享开放",
    "做好春节期间值班值守",
    "开展安全隐患排查整治",
    "加快推进数字政府建设",
    "做好重大项目申报",
    "加强耕地保护和节约集约用地",
    "推进社会信用体系建设",
    "开展政务公开工作考核",
    "做好高校毕业生就业创业",
    "加强防汛抗旱工作",
    "推进老旧小区改造",
    "做好疫苗接种服务保障",
    "规范行政执法行为",
    "加强财政资金绩效管理",
    "开展节能降耗专项行动",
    "做好人大代表建议办理",
    "推进乡村振兴重点工作",
    "加强网络安全保障",
]
PARAGRAPHS = [
    "为贯彻落实上级部署，进一步提高工作质量和效率，现就有关事项通知如下。",
    "各单位要高度重视，切实加强组织领导，明确责任分工，确保各项任务落到实处。",
    "要坚持问题导向，聚焦企业和群众反映强烈的突出问题，认真梳理，逐项整改。",
    "各单位要加强政务服务和数据共享，推动更多事项网上办、掌上办、一次办。",
    "请于规定时间前将工作开展情况和有关数据报送市政府办公厅，逾期未报的予以通报。",
    "财政部门要加强资金保障，统筹安排预算，提高资金使用绩效。",
    "要加强督促检查，对工作推进不力的单位进行督办，确保按时完成。",
    "各区人民政府要结合实际制定具体实施方案，细化工作措施。",
]
TYPES = ["通知", "通知", "通知", "意见", "通报", "函", "报告", "请示"]
# How many outgoing documents stop at each stage (of every 100 seeded).
OUTGOING_MIX = [
    ("draft", 12),
    ("review", 10),
    ("countersign", 10),
    ("sign_off", 8),
    ("numbering", 6),
    ("sealing", 6),
    ("distribution", 4),
    ("issued", 40),
    ("cancelled", 4),
]
# What the receiving units have done with the issued documents, in turn.
INCOMING_STEPS = [
    "awaiting",
    "received",
    "registered",
    "proposed",
    "handling",
    "completed",
    "completed",
    "reading",
]
DRAFTING_DIVISIONS = ("SFS-BGT-MSC", "SFS-BGT-ZHC")
RECIPIENT_UNITS = (
    "SFS-FGW",
    "SFS-JYJ",
    "SFS-CZJ",
    "SFS-RSJ",
    "SFS-SJJ",
    "SFS-ZWJ",
    "SFS-DCQ",
    "SFS-XCQ",
)
OUTSIDE = ("省人民政府办公厅", "省发展和改革委员会", "省财政厅", "省教育厅")


@dataclass
class Seeded:
    outgoing: int = 0
    incoming: int = 0
    imported: int = 0
    external: int = 0
    archived: int = 0


def _people(role: str, department: Department) -> list[User]:
    return [
        a.user
        for a in RoleAssignment.objects.filter(
            role__code=role, department=department, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    ]


def _body(rng: random.Random) -> str:
    picked = rng.sample(PARAGRAPHS, 6)  # six different paragraphs, never one twice
    first, second, third = picked[:2], picked[2:5], picked[5:]
    return "\n".join(["一、总体要求", *first, "二、工作措施", *second, "三、有关要求", *third])


def _complete(user: User, task: Task, **kwargs: object) -> None:
    if task.assignee_id is None:
        workflow.claim_task(user, task.pk)
    workflow.complete_task(user, task.pk, **kwargs)  # type: ignore[arg-type]


def _open(instance_id: int | None, step: str) -> list[Task]:
    return list(
        Task.objects.filter(instance_id=instance_id, bpmn_id=step, status="open").select_related(
            "assignee"
        )
    )


def _performer(task: Task) -> User:
    if task.assignee is not None:
        return task.assignee
    candidate = task.candidates.select_related("user").order_by("user__username").first()
    assert candidate is not None, f"nobody can do {task.name}"
    return candidate.user


def _advance(document: Document, until: str, opinions: Callable[[str], str]) -> None:
    """Move an outgoing document step by step until ``until`` is the open step (or issued)."""
    order = ["draft", "review", "countersign", "sign_off", "numbering", "sealing", "distribution"]
    for step in order:
        if step == until:
            return
        for task in _open(document.instance_id, step):
            data: dict[str, object] = {}
            if step == "review":
                data = {"approved": True}
            if step == "numbering":
                data = {"copies": 10}
            _complete(_performer(task), task, data=data, opinion=opinions(step))
        document.refresh_from_db()


def seed_documents(
    count: int = 300, *, seed: int = 2026, progress: Callable[[str], None] | None = None
) -> Seeded:
    """Seed about ``count`` documents (a few hundred by default). Nothing when some exist.
    ``progress`` is told how far it is now and then."""
    if Document.objects.exists():
        return Seeded()
    say = progress or (lambda _message: None)
    rng = random.Random(seed)
    done = Seeded()
    depts = {d.code: d for d in Department.objects.all()}
    keeper = User.objects.get(username="sealkeeper")
    opinions = {
        "draft": "请审核",
        "review": "文稿已核，同意报签",
        "countersign": "会签同意",
        "sign_off": "同意印发",
        "numbering": "已编号登记",
        "distribution": "已分发",
    }
    outgoing_total = max(count * 55 // 100, 8)
    plan: list[str] = []
    for stage, share in OUTGOING_MIX:
        plan += [stage] * max(1, outgoing_total * share // 100)
    plan = plan[:outgoing_total]
    to_seal: list[Document] = []
    later: list[tuple[Document, str]] = []
    for n, target in enumerate(plan):
        if n % 20 == 0:
            say(f"outgoing documents {n}/{len(plan)}…")
        division = depts[DRAFTING_DIVISIONS[n % len(DRAFTING_DIVISIONS)]]
        drafters = _people("clerk", division) or [
            s.user for s in Staff.objects.filter(department=division).select_related("user")
        ]
        drafter = drafters[n % len(drafters)]
        subject = SUBJECTS[n % len(SUBJECTS)]
        doc_type = TYPES[n % len(TYPES)]
        title = f"关于{subject}的{doc_type}" if doc_type != "函" else f"关于{subject}有关事项的函"
        main = rng.sample(RECIPIENT_UNITS, 3)
        with audit_context(user=drafter, source="cli", ip="local"), transaction.atomic():
            document = services.create_draft(
                drafter,
                services.DraftIn(
                    doc_type=doc_type,
                    title=title,
                    body=_body(rng),
                    main_recipients=[services.RecipientIn(department=c) for c in main]
                    + ([services.RecipientIn(name=rng.choice(OUTSIDE))] if n % 5 == 0 else []),
                    cc=[services.RecipientIn(department=rng.choice(RECIPIENT_UNITS))],
                    urgency=("加急" if n % 7 == 0 else "特急" if n % 17 == 0 else ""),
                    countersign_departments=rng.sample(("SFS-FGW", "SFS-CZJ", "SFS-JYJ"), n % 3),
                ),
            )
            stop = "sealing" if target in ("distribution", "issued") else target
            if target == "cancelled":
                stop = "sign_off"
            _advance(document, stop, lambda step: opinions.get(step, ""))
        done.outgoing += 1
        if target in ("distribution", "issued"):
            to_seal.append(document)
            later.append((document, target))
        elif target == "cancelled":
            admin = User.objects.get(username="admin")
            with audit_context(user=admin, source="cli", ip="local"):
                workflow.terminate_instance(
                    admin, document.instance_id or 0, reason="内容调整，本稿作废"
                )
    # 批量用印: the seal keeper seals them with one one-time code, as at the sealing page.
    if to_seal:
        say(f"sealing {len(to_seal)} documents…")
        code = pyotp.TOTP(keeper.totp_secret).now()
        with audit_context(user=keeper, source="cli", ip="local"):
            services.apply_seals(keeper, [d.pk for d in to_seal], otp=code, opinion="已用印")
    for index, (document, target) in enumerate(later):
        if index % 20 == 0:
            say(f"distribution and incoming registers {index}/{len(later)}…")
        if target != "issued":
            continue
        task = _open(document.instance_id, "distribution")[0]
        with audit_context(user=task.assignee, source="cli", ip="local"):
            _complete(_performer(task), task, opinion="已分发")
        for item in IncomingItem.objects.filter(document=document).select_related("department"):
            _receive(item, INCOMING_STEPS[(index + item.pk) % len(INCOMING_STEPS)])
            done.incoming += 1
    say("imported documents…")
    done.imported = _imports(rng, depts, max(count * 30 // 100, 4))
    say("documents from outside…")
    done.external = _externals(rng, depts, max(count * 15 // 100, 2))
    say("records…")
    done.archived = _archive()
    return done


def _archive() -> int:
    """The archivist files every third issued document, the imported ones and every fourth
    completed incoming document; the oldest imports (2013-2015, ten years) are due for appraisal."""
    archivist = User.objects.filter(username="archivist").first()
    if archivist is None:
        return 0
    made = 0
    retention = {"通知": "D30", "意见": "Y", "报告": "Y", "请示": "Y", "通报": "D10", "函": "D10"}
    with audit_context(user=archivist, source="cli", ip="local"):
        issued = Document.objects.filter(stage="issued").order_by("pk")
        for document in list(issued)[::3]:
            services.archive_document(
                archivist, document.pk, retention=retention.get(document.doc_type, "D30")
            )
            made += 1
        for document in Document.objects.filter(origin="imported").order_by("pk"):
            year = document.date_written.year if document.date_written else 2026
            services.archive_document(
                archivist, document.pk, retention="D10" if year <= 2015 else "D30"
            )
            made += 1
        completed = IncomingItem.objects.filter(status="completed").order_by("pk")
        for item in list(completed)[::4]:
            incoming.archive_incoming(archivist, item.pk, retention="D10")
            made += 1
    _appraise(archivist)
    return made


def _appraise(archivist: User) -> None:
    """鉴定: of the records whose ten years ran out, one is kept ten more years and one is
    destroyed (proposed by the archivist, approved by the unit's head); the others wait."""
    from tongban.records import services as records
    from tongban.records.models import Record

    due = list(
        Record.objects.filter(retention="D10", year__lte=2015, status="archived")
        .select_related("department")
        .order_by("pk")
    )
    if len(due) < 3:
        return
    with audit_context(user=archivist, source="cli", ip="local"):
        records.keep(archivist, due[0].pk, retention="D30", reason="仍有查考利用价值，延长保管期限")
        proposal = records.propose_disposal(
            archivist, due[1].pk, reason="保管期满，经鉴定已无保存价值"
        )
    heads = _people("bureau_head", due[1].department)
    if heads:
        with audit_context(user=heads[0], source="cli", ip="local"):
            records.approve_disposal(heads[0], proposal.pk, note="同意销毁")


def _receive(item: IncomingItem, target: str) -> None:
    """Take a delivered document as far as ``target`` in the receiving unit."""
    if target == "awaiting":
        return
    clerks = _people("clerk", item.department)
    if not clerks:
        return
    clerk = clerks[item.pk % len(clerks)]
    with audit_context(user=clerk, source="cli", ip="local"):
        incoming.receive(clerk, item.pk)
        item.refresh_from_db()
        steps = ["register", "propose", "instruct", "handle", "finish"]
        stop = {
            "received": "register",
            "registered": "propose",
            "proposed": "instruct",
            "handling": "handle",
            "completed": "",
            "reading": "",
        }[target]
        for step in steps:
            if step == stop:
                break
            tasks = _open(item.instance_id, step)
            if not tasks and step in ("instruct", "handle"):
                continue  # the reading-only path skips them
            for task in tasks:
                data: dict[str, object] = {}
                opinion = ""
                if step == "propose":
                    data = {"for_handling": target != "reading"}
                    opinion = "拟请相关处室研究办理" if target != "reading" else "阅知即可"
                if step == "instruct":
                    hosts = [
                        d for d in Department.objects.filter(parent=item.department, is_active=True)
                    ] or [item.department]
                    data = {"host_department": hosts[0].code, "due_days": 5 + item.pk % 10}
                    opinion = "请按要求办理，按期反馈"
                if step == "handle":
                    opinion = "已按要求办理完毕"
                if step == "finish":
                    opinion = "已办结"
                _complete(_performer(task), task, data=data, opinion=opinion)
            item.refresh_from_db()
        if target in ("completed", "reading") and item.pk % 2 == 0:
            readers = [
                s.user.username
                for s in Staff.objects.filter(department=item.department).select_related("user")
                if s.user_id != clerk.pk
            ][:2]
            if readers:
                circulated = incoming.circulate(clerk, item.pk, usernames=readers, note="请阅")
                for circulation in circulated.created[:1]:
                    with audit_context(user=circulation.reader, source="cli", ip="local"):
                        incoming.confirm_read(circulation.reader, circulation.pk, comment="已阅")


def _imports(rng: random.Random, depts: dict[str, Department], count: int) -> int:
    """存量公文: texts as a bureau would have them, imported through the recogniser."""
    units = [d for d in depts.values() if d.kind in ("bureau", "district") and d.issuing_code]
    made = 0
    for n in range(count):
        unit = units[n % len(units)]
        clerks = _people("clerk", unit)
        if not clerks:
            continue
        # Mostly recent years; every fifth from 2013-2015, whose ten years have run out.
        year = 2013 + n % 3 if n % 5 == 4 else 2023 + n % 3
        day = date(year, 1 + n % 12, 1 + n % 28)
        subject = SUBJECTS[(n * 7) % len(SUBJECTS)]
        doc_type = TYPES[n % 5]
        text = "\n".join(
            [
                f"{unit.name}文件",
                f"{unit.issuing_code}〔{year}〕{n + 1}号",
                f"关于{subject}的{doc_type}",
                "各有关单位：",
                _body(rng),
                unit.name,
                f"{day.year}年{day.month}月{day.day}日",
            ]
        )
        with audit_context(user=clerks[0], source="cli", ip="local"):
            reports = importing.import_files(
                clerks[0], [(f"{unit.code}-{year}-{n + 1}.txt", text.encode("utf-8"))]
            )
        made += sum(1 for r in reports if r.ok)
    return made


def _externals(rng: random.Random, depts: dict[str, Department], count: int) -> int:
    """外来文 from organs outside the platform, registered by the units' clerks."""
    made = 0
    for n in range(count):
        unit = depts[RECIPIENT_UNITS[n % len(RECIPIENT_UNITS)]]
        clerks = _people("clerk", unit)
        if not clerks:
            continue
        organ = OUTSIDE[n % len(OUTSIDE)]
        subject = SUBJECTS[(n * 3 + 1) % len(SUBJECTS)]
        with audit_context(user=clerks[0], source="cli", ip="local"):
            incoming.register_external(
                clerks[0],
                incoming.ExternalIn(
                    title=f"关于{subject}的通知",
                    issuing_authority=organ,
                    doc_number=f"省政办发〔{timezone.localdate().year}〕{n + 11}号",
                    date_written=timezone.localdate() - timedelta(days=3 + n),
                    body=_body(rng),
                    urgency="加急" if n % 4 == 0 else "",
                ),
            )
        made += 1
    return made
