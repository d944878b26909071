"""The auditor's trail in words: actions and object types by their labels (the code beside them,
marked as code), objects by their names, details translated; filters by label; the CSV keeps the
codes and adds the labels."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import PASSWORD
from tests.web.page_text import texts
from tongban.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(client, make_staff, auditor):
    """A failed and a good sign-in of 教育局's clerk; the auditor signed in to read them."""
    make_staff("edu", "clerk1", display_name="张办文")
    assert client.post("/sign-in/", {"username": "clerk1", "password": "wrong"}).status_code == 200
    assert client.post("/sign-in/", {"username": "clerk1", "password": PASSWORD}).status_code == 302
    client.force_login(auditor)
    return client


def rows(page: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)


def test_actions_and_objects_read_as_words_with_the_code_beside_them(trail):
    page = trail.get("/audit/?action=identity.sign_in").content.decode()
    [failed] = [r for r in rows(page) if "失败" in r]
    words = texts(failed)
    assert "登录" in words  # identity.sign_in
    assert "<code>identity.sign_in</code>" in failed  # for the auditor who needs the code
    assert "账号" in words  # identity.user
    assert "clerk1" in " ".join(words)  # the object by its name, not "identity.user #3"
    assert "密码错误" in words  # the detail "wrong password", translated
    assert "identity.user" not in " ".join(words)
    assert not re.search(r"#\d+", " ".join(words))


def test_the_filters_are_choice_lists_by_label(trail):
    page = trail.get("/audit/").content.decode()
    assert re.search(r'<select name="action"[^>]*>', page)
    assert '<option value="identity.sign_in">登录</option>' in page
    assert '<option value="identity.">“身份认证”全部</option>' in page  # a whole app, by its name
    assert '<option value="identity.user">账号</option>' in page
    sign_ins = AuditEntry.objects.filter(action="identity.sign_in").count()
    identity = AuditEntry.objects.filter(action__startswith="identity.").count()
    assert identity > sign_ins >= 2
    whole_app = trail.get("/audit/?action=identity.").content.decode()
    assert f'<p class="count">{identity} 条记录</p>' in whole_app


def test_an_unknown_action_is_refused_next_to_the_field(trail):
    page = trail.get("/audit/?action=identity.nothing").content.decode()
    assert "选择一个有效的选项。 identity.nothing 不在可用的选项中。" in page


def test_the_csv_keeps_the_codes_and_adds_the_labels(trail):
    response = trail.get("/audit/export.csv?action=identity.sign_in")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    header = table[0]
    assert header[-2:] == ["action_label", "object_type_label"]
    assert header[3] == "action"
    body = [dict(zip(header, row, strict=True)) for row in table[1:]]
    assert body and {r["action"] for r in body} == {"identity.sign_in"}
    assert {r["action_label"] for r in body} == {"登录"}
    assert {r["object_type_label"] for r in body} == {"账号"}
    export = AuditEntry.objects.filter(action="audit.export").latest("seq")
    assert export.detail == "entries matching a filter"
    assert export.after == {"filter": {"action": "identity.sign_in"}}
    listed = trail.get("/audit/?action=audit.export").content.decode()
    assert "符合筛选条件的记录" in listed and "导出审计日志" in listed
