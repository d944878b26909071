"""Full-text search over the database (SQLite FTS5 or PostgreSQL, whichever the suite runs on):
matching, order, re-indexing, hostile input, one SQL statement with the caller's filter.

The indexed objects are departments (an integer key we control); their "documents" are the
texts put into a throw-away index created in each test's transaction.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tongban.core import text
from tongban.core.search import RANK, TITLE_HIT, SearchIndex
from tongban.org.models import Department

_codes = itertools.count(1)


class Abort(Exception):
    pass


@pytest.fixture
def index(db: object) -> SearchIndex:
    index = SearchIndex("test_x")
    index.create(connection)
    return index


def doc(index: SearchIndex, title: str, body: str = "", extra: str = "", kind: str = "bureau"):
    department = Department.objects.create(code=f"D{next(_codes)}", name=title[:100], kind=kind)
    index.put(department.pk, title=title, body=body, extra=extra)
    return department


def found(index: SearchIndex, q: str, queryset=None) -> list[int]:
    return list(index.search(queryset or Department.objects.all(), q).values_list("pk", flat=True))


def test_two_words_find_only_the_documents_with_both(index):
    both = doc(index, "关于教育经费的通知", "今年城市教育投入增加")
    split = doc(index, "年度报告", "教育工作稳步推进，专项经费按时拨付")
    only_one = doc(index, "教育工作要点", "加强师资队伍建设")
    doc(index, "无关的文件", "道路交通安全")
    assert set(found(index, "教育 经费")) == {both.pk, split.pk}
    assert set(found(index, "教育")) == {both.pk, split.pk, only_one.pk}
    assert found(index, "教育 农业") == []


def test_a_hit_in_the_title_ranks_before_hits_only_in_the_body(index):
    body_only = doc(index, "工作简报", "城市规划 城市规划 城市规划，规划城市发展，城市规划委员会")
    in_title = doc(index, "城市规划公示", "本文件内容很长。" * 40)
    extra_only = doc(index, "附件清单", "", extra="城市规划图纸")
    results = list(index.search(Department.objects.all(), "城市规划"))
    assert [r.pk for r in results] == [in_title.pk, body_only.pk, extra_only.pk]
    assert [getattr(r, TITLE_HIT) for r in results] == [True, False, False]
    # Relevance orders the rest: many hits in the body beat one in an attachment.
    assert getattr(results[1], RANK) > getattr(results[2], RANK) > 0


def test_words_typed_without_a_space_find_their_parts_and_the_whole_word_ranks_first(index):
    whole = doc(index, "通知", "发布城市规划")
    segmented_apart = doc(index, "通知", "市城市规划局召开会议")  # 城市 | 规划局
    apart = doc(index, "通知", "城市的总体规划")
    doc(index, "通知", "乡村规划")
    assert found(index, "城市规划")[:1] == [whole.pk]
    assert set(found(index, "城市规划")) == {whole.pk, segmented_apart.pk, apart.pk}


def test_a_single_character_finds_the_words_that_begin_with_it(index):
    tax = doc(index, "税收政策解读", "")
    doc(index, "财政预算", "")
    assert found(index, "税") == [tax.pk]


def test_full_width_and_case_do_not_matter(index):
    d = doc(index, "ＡＢＣ系统上线", "版本２０２６")
    assert found(index, "abc 2026") == [d.pk]
    assert found(index, "Ａｂｃ") == [d.pk]


def test_reindexing_replaces_the_old_text(index):
    d = doc(index, "旧标题", "营商环境")
    index.put(d.pk, title="新标题", body="乡村振兴")
    assert found(index, "营商环境") == []
    assert found(index, "乡村振兴") == [d.pk]
    assert found(index, "新标题") == [d.pk]
    assert found(index, "旧标题") == []


def test_remove_takes_an_object_out_and_is_idempotent(index):
    d = doc(index, "政务公开", "")
    index.remove(d.pk)
    index.remove(d.pk)
    assert found(index, "政务公开") == []


def test_writes_belong_to_the_callers_transaction(index):
    d = Department.objects.create(code="TX", name="x", kind="bureau")
    with pytest.raises(Abort), transaction.atomic():
        index.put(d.pk, title="一网通办")
        raise Abort
    assert found(index, "一网通办") == []
    kept = doc(index, "一网通办", "")
    with pytest.raises(Abort), transaction.atomic():
        index.remove(kept.pk)
        raise Abort
    assert found(index, "一网通办") == [kept.pk]


def test_put_many_indexes_in_batches(index):
    departments = [
        Department.objects.create(code=f"B{i}", name=f"部门{i}", kind="bureau") for i in range(7)
    ]
    rows = [(d.pk, {"title": "批量", "body": f"第{i}号 放管服"}) for i, d in enumerate(departments)]
    assert index.put_many(iter(rows), batch_size=3) == 7
    index.optimize()
    assert set(found(index, "放管服")) == {d.pk for d in departments}
    index.clear()
    assert found(index, "放管服") == []


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '""城市""',
        "城市*",
        "*",
        "NEAR(城市 规划, 2)",
        "城市 AND 规划 OR NOT 教育",
        "(城市",
        "城市)",
        "title:城市",
        "{title body}: 城市",
        "^城市",
        "城市 - 规划",
        "'; DROP TABLE org_department; --",
        "城市 & 规划 | !教育 <-> 'x':*",
        "😀 城市 🏙️",
        "\x00城市\x01",
        "城市" * 5000,
        "城市 " * 5000,
    ],
)
def test_hostile_input_is_words_or_nothing_never_an_error(index, q):
    d = doc(index, "城市规划", "教育")
    result = found(index, q)
    assert result in ([], [d.pk])
    assert Department.objects.filter(pk=d.pk).exists()


def test_hostile_input_keeps_its_words(index):
    d = doc(index, "城市规划", "教育")
    assert found(index, '"城市" AND (规划)') == [d.pk]
    assert found(index, "NEAR(城市 规划)") == [d.pk]
    assert found(index, "😀城市😀") == [d.pk]


@pytest.mark.parametrize("q", ["", "   ", "。，！？", "😀", "的", "AND OR"])
def test_a_query_without_words_matches_nothing_and_runs_no_sql(index, q):
    doc(index, "城市规划", "")
    with CaptureQueriesContext(connection) as ctx:
        assert list(index.search(Department.objects.all(), q).filter(kind="bureau")[:20]) == []
    assert ctx.captured_queries == []
    assert index.terms(q) == []


def test_the_callers_filter_and_slice_stay_one_statement(index):
    visible = [doc(index, f"营商环境{i}", "优化", kind="bureau") for i in range(3)]
    doc(index, "营商环境（区县）", "优化", kind="district")
    with CaptureQueriesContext(connection) as ctx:
        page = list(
            index.search(Department.objects.all(), "营商环境 优化").filter(kind="bureau")[:2]
        )
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    assert sql.lstrip().upper().startswith("SELECT")
    assert "LIMIT 2" in sql and '"kind"' in sql and index.table in sql
    # Ties in relevance: newest key first.
    assert [d.pk for d in page] == [visible[2].pk, visible[1].pk]
    qs = index.search(Department.objects.filter(kind="bureau"), "营商环境")
    assert qs.count() == 3
    assert qs.exists()


def test_the_filter_applies_before_the_limit(index):
    hidden = [doc(index, f"政务服务{i}", "", kind="district") for i in range(25)]
    shown = doc(index, "政务服务", "", kind="bureau")
    page = found(index, "政务服务", Department.objects.filter(kind="bureau"))
    assert page == [shown.pk]
    assert len(found(index, "政务服务")) == len(hidden) + 1


def test_objects_without_an_index_entry_are_not_found(index):
    Department.objects.create(code="NOIDX", name="城市规划", kind="bureau")
    assert found(index, "城市规划") == []


def test_terms_for_snippets(index):
    body = "为优化营商环境，<em>一网通办</em>全面推行。"
    marked = text.snippet(body, index.terms("营商环境 一网通办"))
    assert (
        marked
        == "为优化<mark>营商环境</mark>，&lt;em&gt;<mark>一网通办</mark>&lt;/em&gt;全面推行。"
    )


def test_migration_operation_creates_and_drops_the_table(db):
    index = SearchIndex("test_op", columns=("title", "body"))
    operation = index.operation()
    editor = SimpleNamespace(connection=connection)
    operation.code(None, editor)
    assert index.table in connection.introspection.table_names()
    index.put(1, title="档号", body="")
    assert index.search(Department.objects.all(), "档号").count() == 0  # no department 1
    assert operation.reversible
    operation.reverse_code(None, editor)
    assert index.table not in connection.introspection.table_names()


def test_index_definitions_are_checked(index):
    for bad in ["", "Bad", "a-b", "x" * 41, "1a"]:
        with pytest.raises(ValueError):
            SearchIndex(bad)
    for columns in [(), ("a", "a"), ("rank",), ("title; drop",), ("a", "b", "c", "d", "e")]:
        with pytest.raises(ValueError):
            SearchIndex("ok", columns=columns)
    with pytest.raises(ValueError):
        index.put(1, subject="x")
    with pytest.raises(ValueError):
        index.put("1", title="x")  # type: ignore[arg-type]


def test_a_huge_attachment_is_indexed_up_to_a_bounded_number_of_distinct_words(index):
    from tongban.core.search import MAX_DISTINCT_TOKENS

    # Distinct numbers, as in a large statistical table: without the bound PostgreSQL refuses
    # the tsvector (over 1 MB).
    numbers = " ".join(f"n{i}" for i in range(MAX_DISTINCT_TOKENS + 30_000))
    d = doc(index, "统计年鉴", "正文", extra=numbers + " 附录")
    assert found(index, "统计年鉴") == [d.pk]
    assert found(index, "n5") == [d.pk]
    assert found(index, f"n{MAX_DISTINCT_TOKENS + 100}") == []
    assert found(index, "附录") == []


def test_a_search_used_as_a_subquery_keeps_its_own_join(index):
    city = doc(index, "城市规划局", "")
    child = Department.objects.create(code="CHILD", name="科室", kind="division", parent=city)
    doc(index, "教育局", "")
    searched = index.search(Department.objects.all(), "城市规划")
    assert list(Department.objects.filter(pk__in=searched.values("pk"))) == [city]
    # Departments whose parent is found by the search (the search correlated through OuterRef).
    from django.db.models import Exists, OuterRef

    parents = index.search(Department.objects.filter(pk=OuterRef("parent_id")), "城市规划")
    assert list(Department.objects.filter(Exists(parents))) == [child]
    parents = index.search(Department.objects.filter(pk=OuterRef("parent_id")), "城市", window=1)
    assert list(Department.objects.filter(Exists(parents))) == [child]


def test_a_window_ranks_only_the_newest_matches(index):
    old_title_hit = doc(index, "营商环境专题", "")
    newer = [doc(index, "简报", f"优化营商环境第{i}期") for i in range(5)]
    hidden_new = doc(index, "简报", "营商环境（区县）", kind="district")
    bureaus = Department.objects.filter(kind="bureau")
    assert found(index, "营商环境", bureaus)[0] == old_title_hit.pk
    # The 3 newest visible matches: the permission filter is inside the window.
    windowed = list(index.search(bureaus, "营商环境", window=3).values_list("pk", flat=True))
    assert windowed == [newer[4].pk, newer[3].pk, newer[2].pk]
    assert hidden_new.pk not in windowed
    assert index.search(bureaus, "营商环境", window=100).count() == 6
    with CaptureQueriesContext(connection) as ctx:
        list(index.search(bureaus, "营商环境", window=3)[:2])
    assert len(ctx.captured_queries) == 1
    for bad in [0, -1, True]:
        with pytest.raises(ValueError):
            index.search(bureaus, "营商环境", window=bad)


# -- ranked: the same results a page at a time ------------------------------------------------


def _corpus(index: SearchIndex) -> list[Department]:
    """Title hits, body hits and extra hits of 营商环境 / 优化, in both kinds, some tied."""
    made = []
    for i in range(9):
        made.append(doc(index, f"营商环境报告{i % 3}", "优化" * (1 + i % 4), kind="bureau"))
        made.append(doc(index, "工作简报", f"优化营商环境{'，营商环境' * (i % 3)}", kind="bureau"))
        made.append(doc(index, "附件清单", "优化", extra="营商环境", kind="district"))
        made.append(doc(index, "环境报告", "营商优化", kind="district"))  # 营商 + 环境: parts
    return made


@pytest.mark.parametrize("q", ["营商环境 优化", "营商环境", "优化 报告", "营"])
def test_ranked_pages_are_the_single_statement_order_cut_into_pages(index, q):
    _corpus(index)
    for queryset in (Department.objects.all(), Department.objects.filter(kind="bureau")):
        expected = list(index.search(queryset, q).values_list("pk", TITLE_HIT, RANK))
        assert expected, q
        results = index.ranked(queryset, q)
        assert results.count() == len(results) == len(expected)
        for size in (1, 4, 7, len(expected) + 3):
            paged = []
            for start in range(0, len(expected) + size, size):
                paged += results[start : start + size]
            got = [(d.pk, getattr(d, TITLE_HIT), getattr(d, RANK)) for d in paged]
            assert [g[:2] for g in got] == [e[:2] for e in expected], (q, size)
            assert [g[2] for g in got] == pytest.approx([e[2] for e in expected])
        assert [d.pk for d in results] == [e[0] for e in expected]
        assert results[2].pk == expected[2][0]


def test_a_ranked_page_of_title_hits_never_ranks_the_other_matches(index):
    titled = [doc(index, f"营商环境{i}", "优化") for i in range(5)]
    doc(index, "简报", "营商环境 优化")
    doc(index, "营商环境（区县）", "优化", kind="district")
    bureaus = Department.objects.filter(kind="bureau")
    with CaptureQueriesContext(connection) as ctx:
        page = index.ranked(bureaus, "营商环境 优化")[:3]
    # The title hits (ranked), then the page's objects: the body-only matches are not visited.
    assert len(ctx.captured_queries) == 2
    assert all('"kind"' in q["sql"] for q in ctx.captured_queries)
    assert [d.pk for d in page] == [titled[4].pk, titled[3].pk, titled[2].pk]
    assert all(getattr(d, TITLE_HIT) for d in page)
    with CaptureQueriesContext(connection) as ctx:
        page = index.ranked(bureaus, "营商环境 优化")[4:7]
    assert len(ctx.captured_queries) == 3  # past the five title hits: the others too
    assert [getattr(d, TITLE_HIT) for d in page] == [True, False]


def test_ranked_results_work_with_the_paginator_and_refuse_bad_indexes(index):
    from django.core.paginator import Paginator

    made = [doc(index, "营商环境", "") for _ in range(5)]
    paginator = Paginator(index.ranked(Department.objects.all(), "营商环境"), 2)
    assert paginator.count == 5 and paginator.num_pages == 3
    assert [d.pk for d in paginator.page(3)] == [made[0].pk]
    results = index.ranked(Department.objects.all(), "营商环境")
    assert results.exists()
    with pytest.raises(IndexError):
        results[5]
    for bad in (slice(-1, None), slice(0, 4, 2)):
        with pytest.raises(ValueError):
            results[bad]
    with pytest.raises(TypeError):
        results["1"]


@pytest.mark.parametrize("q", ["", "   ", "！？。", "()*:"])
def test_a_ranked_query_without_words_is_empty_and_runs_no_sql(index, q):
    doc(index, "营商环境", "")
    with CaptureQueriesContext(connection) as ctx:
        results = index.ranked(Department.objects.all(), q)
        assert results[:20] == [] and results.count() == 0 and not results.exists()
        assert list(results) == []
    assert ctx.captured_queries == []


def test_the_title_keys_mark_cannot_be_typed_into_a_text(index):
    # The private-use mark is a separator to the segmenter: a body cannot pose as a title.
    body = doc(index, "简报", "\ue000营商环境 \ue000优化")
    results = index.ranked(Department.objects.all(), "营商环境")
    assert [(d.pk, getattr(d, TITLE_HIT)) for d in results] == [(body.pk, False)]
    assert index.ranked(Department.objects.all(), "\ue000营商环境")[:1][0].pk == body.pk


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the layout changed only on SQLite")
def test_upgrade_adds_the_title_keys_to_an_index_of_the_earlier_layout(db):
    index = SearchIndex("test_up", columns=("title", "body"))
    titled = Department.objects.create(code="UP1", name="甲", kind="bureau")
    body = Department.objects.create(code="UP2", name="乙", kind="bureau")
    with connection.cursor() as cursor:
        # The layout before title_keys, filled as put_many filled it.
        cursor.execute(
            f'CREATE VIRTUAL TABLE "{index.table}" USING fts5(title, body, '
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
        for pk, title, text_ in ((titled.pk, "营商环境报告", ""), (body.pk, "简报", "营商环境")):
            cursor.execute(
                f'INSERT INTO "{index.table}" (rowid, title, body) VALUES (%s, %s, %s)',
                [pk, " ".join(text.index_tokens(title)), " ".join(text.index_tokens(text_))],
            )
    operation = index.upgrade_operation()
    operation.code(None, SimpleNamespace(connection=connection))
    index.upgrade(connection)  # a second time: nothing to do
    results = index.ranked(Department.objects.all(), "营商环境")
    assert [(d.pk, getattr(d, TITLE_HIT)) for d in results] == [(titled.pk, True), (body.pk, False)]
    assert f"{index.table}_before_upgrade" not in connection.introspection.table_names()
    SearchIndex("test_never_made").upgrade(connection)  # no table: nothing happens
    assert "search_test_never_made" not in connection.introspection.table_names()


def test_a_count_limit_stops_counting_but_not_the_pages(index):
    made = [doc(index, "营商环境", "") for _ in range(5)]
    ordered = Department.objects.order_by("name")
    results = index.ranked(ordered, "营商环境", count_limit=3)
    with CaptureQueriesContext(connection) as ctx:
        assert results.count() == len(results) == 3 and results.capped
    assert "LIMIT 4" in ctx.captured_queries[0]["sql"]
    assert "ORDER BY" not in ctx.captured_queries[0]["sql"]
    assert [d.pk for d in results[3:10]] == [made[1].pk, made[0].pk]
    exact = index.ranked(Department.objects.all(), "营商环境", count_limit=5)
    assert exact.count() == 5 and not exact.capped
    assert index.ranked(Department.objects.all(), "营商环境").count() == 5
    for bad in (0, -1, True):
        with pytest.raises(ValueError):
            index.ranked(Department.objects.all(), "营商环境", count_limit=bad)
