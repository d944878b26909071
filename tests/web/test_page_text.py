"""No internal name reaches a person: every page a clerk, a division head, a bureau head, a seal
keeper, an archivist, a receiving clerk and the three administrators can reach is read in
Chinese, and its text holds no code (``identity.sign_in``), no ``documents.document 297``, no
Python value, no English file name and no English sentence (tests/web/page_text.py)."""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

import tongban
from tests.conftest import PASSWORD
from tests.documents.conftest import complete, draft, gov, issue, open_task, sealing  # noqa: F401
from tests.web.page_text import leftovers
from tongban.audit.models import AuditEntry
from tongban.documents import importing, incoming, services
from tongban.documents.models import ImportItem, IncomingItem
from tongban.identity.models import User
from tongban.records.models import Record
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

pytestmark = pytest.mark.django_db

# Not pages: downloads, the API, redirects that change the session.
SKIP_NAMES = {
    "identity:sign_out",
    "set_language",
    "healthz",
    "documents:pdf",
    "documents:attachment",
    "records:file",
    "records:package",
    "records:batch_package",
    "notifications:open",
}
DOWNLOAD = re.compile(r"\.(pdf|csv|zip|svg|pem|xlsx|json)$|/ca/")
LEAVE = Path(tongban.__file__).parent / "demo/processes/leave_request.bpmn"
PER_PAGE = 3  # visits of the same page with other objects or filters

# A real excerpt (corpus 26, 禄丰市人民政府, 2024): no title line, no number — it waits for review.
NO_TITLE = (
    "云南禄丰产业园区管委会,各乡镇人民政府,市级各部门:\n"
    "《禄丰市人民政府常务会议议事规则》已经2024年11月13日召开的二届市人民政府第93次常务会议通过,现予印发。\n"
    "禄丰市人民政府\n2024年11月20日\n(此件公开发布)\n"
)


def _routes(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "^" not in route:
            yield "/" + route


def walk(client: Client, seeds: list[str], every: Iterable[str] = ()) -> Iterator[tuple[str, str]]:
    """GET every page reachable from the seeds by links (each page at most PER_PAGE times, but
    every URL of ``every``)."""
    queue = deque([*every, *seeds])
    always = set(every)
    seen: set[str] = set()
    visits: Counter[str] = Counter()
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path, _, query = url.partition("?")
        if path.startswith("/api/") or DOWNLOAD.search(path) or "format=" in query:
            continue
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        if name in SKIP_NAMES or (visits[name] >= PER_PAGE and url not in always):
            continue
        visits[name] += 1
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = response.content.decode()
        yield url, page
        for href in re.findall(r'href="([^"]+)"', page):
            link = htmllib.unescape(href).split("#", 1)[0]
            if link.startswith("/") and not link.startswith("//"):
                queue.append(link)


@pytest.fixture
def world(sealing, auditor, sysadmin, secadmin, client):  # noqa: F811
    """A document issued, distributed and archived; one waiting at review and urged; an import
    waiting for review; an incoming document signed for; a good and a failed sign-in."""
    town = sealing
    issued = issue(town, draft(town))
    services.archive_document(town["archivist"], issued.pk, retention="D30")
    waiting = draft(town, title="关于开展节能宣传周活动的通知")
    complete(town["drafter"], waiting, "draft", opinion="请核稿")
    workflow.urge_task(town["drafter"], open_task(waiting, "review").pk, message="请尽快核稿")
    workflow.import_definition(sysadmin, LEAVE.read_bytes(), source="leave_request.bpmn")
    leave = workflow.start_instance(
        town["drafter"],
        process_key="leave_request",
        title="一次请假",
        variables={"days": 1, "first_day": "2026-12-07", "kind": "annual", "reason": "探亲"},
    )
    [report] = importing.import_files(town["fin_clerk"], [("禄丰议事规则.txt", NO_TITLE.encode())])
    assert report.ok
    received = IncomingItem.objects.get(document=issued, department=town["finance"])
    incoming.receive(town["fin_clerk"], received.pk)
    assert (
        client.post("/sign-in/", {"username": "drafter", "password": "wrong-one"}).status_code
        == 200
    )
    assert (
        client.post("/sign-in/", {"username": "drafter", "password": PASSWORD}).status_code == 302
    )
    return {
        **town,
        "auditor": auditor,
        "sysadmin": sysadmin,
        "secadmin": secadmin,
        "issued": issued,
        "waiting": waiting,
        "received": received,
        "batch": report,
        "leave": leave,
    }


def object_pages(world) -> list[str]:
    issued, waiting = world["issued"], world["waiting"]
    record = Record.objects.get(source_type="documents.document", source_id=str(issued.pk))
    review = open_task(waiting, "review")
    leave_task = Task.objects.get(instance=world["leave"], status="open")
    batch_id = ImportItem.objects.get(document_id=world["batch"].document_id).batch_id
    return [
        f"/documents/{issued.pk}/",
        f"/documents/{waiting.pk}/",
        f"/documents/{issued.pk}/versions/",
        f"/documents/incoming/{world['received'].pk}/",
        f"/documents/import/{batch_id}/",
        f"/records/{record.pk}/",
        f"/workflow/tasks/{review.pk}/",
        f"/workflow/tasks/{leave_task.pk}/",
        f"/workflow/instances/{world['leave'].pk}/",
        f"/workflow/instances/{waiting.instance_id}/",
        f"/workflow/monitor/{waiting.instance_id}/",
    ]


ROLES = [
    "drafter",  # clerk (办文员)
    "reviewer",  # division head (处室负责人)
    "signer",  # bureau head (单位负责人)
    "keeper",  # seal keeper (印章管理员)
    "archivist",  # archivist (档案员)
    "fin_clerk",  # a receiving bureau's clerk
    "sysadmin",  # 系统管理员
    "secadmin",  # 安全保密管理员
    "auditor",  # 安全审计员
]


def test_no_page_shows_an_internal_name(world):
    seeds = [*object_pages(world), "/workbench/", *_routes(get_resolver().url_patterns)]
    logins = set(User.objects.values_list("username", flat=True))
    found: dict[str, list[str]] = {}
    visited = 0
    for role in ROLES:
        client = Client()
        client.force_login(world[role])
        every = []
        if role == "auditor":  # the trail filtered by each action recorded
            actions = AuditEntry.objects.values_list("action", flat=True).distinct()
            every = [f"/audit/?action={action}" for action in actions]
        for url, page in walk(client, seeds, every):
            visited += "<html" in page  # fragments (htmx answers) are read too
            for problem in leftovers(page, logins):
                kind = re.sub(r"#\d+", "#N", problem)  # one line for every identity.user #N
                found.setdefault(kind, []).append(f"{role} {url}")
    assert visited > 150, visited  # the walk reached the pages (not only sign-in redirects)
    report = "\n".join(
        f"{problem}  ← {', '.join(where[:3])}" for problem, where in sorted(found.items())
    )
    assert not found, f"{len(found)} internal names on the pages:\n{report}"


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        ("<td>identity.sign_in</td>", "code"),
        ("<div class='help'>identity.user #3</div>", "code"),
        ("<dd>documents.document 297</dd>", "code"),
        ("<dd>['李签发']</dd>", "Python value"),
        ("<dd>保密期限：None</dd>", "Python value"),
        ("<td>AuditFilter(actor='', action='')</td>", "Python value"),
        ("<td>processing-slip.pdf</td>", "English file name"),
        ("<button>Take this step</button>", "untranslated"),
        ("<p>Keeps the unit's records safe.</p>", "English"),
    ],
)
def test_the_reader_flags_internal_names(html, kind):
    [problem] = leftovers(f"<html><body>{html}</body></html>", {"drafter"})
    assert problem.startswith(kind), problem


def test_the_reader_leaves_code_attributes_logins_and_chinese_file_names():
    page = (
        "<html><body><code>identity.sign_in</code><span title='identity.user #3'>账号</span>"
        "<td>drafter</td><td>正文.pdf</td><td>发文稿纸.pdf</td><a href='/documents/1/'>链接</a>"
        "<select><option lang='en'>English</option></select><p>SHA-256</p><p>PDF</p>"
        "<p>bpmn.io</p><script>var a = {'x': None}</script></body></html>"
    )
    assert leftovers(page, {"drafter"}) == []
