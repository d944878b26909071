"""Chinese full-text search (core.search) on SQLite: a generated corpus of government-style
documents of about 1 KB, indexed through ``SearchIndex.put_many`` (segmentation included), and
two-term queries on a real Django model with a permission-like filter (the reader sees 40 of 200
departments), best first, ``LIMIT 20``. Four ways of running tongban's search over the same
queries:

- tongban: ``ranked(visible, q)[:20]``, what the documents search uses: the title hits ranked on
  their own, the other matches only when the page reaches past them (two or three statements,
  each with the filter);
- single statement: ``search(visible, q)[:20]``, every match ranked in one statement (the
  previous way; the same results, checked query by query);
- with mmap and cache: tongban on a connection with a 256 MiB page cache and a 4 GiB memory
  map (settings an installation could adopt; tongban's defaults are a 1 GiB map,
  ``TONGBAN_SQLITE_MMAP_MB``, and SQLite's 2 MiB page cache);
- window: ``search(visible, q, window=1000)``, ranking only the newest 1,000 visible matches.

Beside it, in the same run, on the same corpus and queries:

- (a) Whoosh (whoosh-reloaded) with jieba's ``ChineseAnalyzer``: title and body fields, the
  department as a filter, top 20 by BM25F;
- (b) a scan: ``(title LIKE '%a%' OR body LIKE '%a%') AND (… '%b%' …)`` on the same table with
  the same department filter, newest 20 (a subset of the queries: each may read every row).

It also compares the match sets of the index and of the scan (the scan is substring search:
it finds 和平 in 城市和平原, which a word index rightly does not).

Targets (issue): p95 ≤ 50 ms at 1,000,000 documents; ≥ 20× faster than the scan; indexing
≥ 2,000 documents/s. ``--quick``: 20,000 documents, about a minute.

Development flags: ``--docs N``, ``--home DIR`` (reuse a corpus and index built there before),
``--no-whoosh``.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_home, report

SEED = 20260101
DEPARTMENTS = 200
VISIBLE_DEPARTMENTS = 40
VOCABULARY_SIZE = 30_000
ZIPF_EXPONENT = 1.0
WINDOW = 1000  # the bounded ranking measured beside the exact one
MMAP_BYTES = 4 << 30
CACHE_KIB = 256 << 10
LOWEST_QUERY_RANK = 10  # ranks 1–9 (工作, 发展 …) are in most documents: not search words

# The most frequent words of government text, in a plausible order of frequency (ranks 1–…).
GOVERNMENT_COMMON = """
工作 发展 建设 管理 服务 推进 加强 落实 实施 改革 企业 项目 部门 单位 社会 经济 安全 群众
机制 制度 体系 重点 全面 提高 完善 组织 领导 责任 监督 检查 考核 审批 办理 申请 材料 情况
问题 要求 通知 意见 方案 措施 标准 规范 信息 数据 平台 系统 网络 公开 公共 政府 人民 市场
环境 生态 农村 乡村 产业 创新 科技 人才 文化 卫生 医疗 健康 养老 就业 住房 交通 道路 水利
能源 资源 土地 财政 预算 税收 金融 投资 消费 贸易 开放 合作 协调 统筹 保障 民生 基层 社区
街道 法治 执法 依法 城市 规划 教育 经费 学校 资金 政策 行政 许可 处罚 监管 风险 应急 防控
质量 效率 目标 任务 年度 计划 总结 报告 会议 文件 规定 办法 条例 细则 指导 支持 鼓励 引导
""".split()  # noqa: SIM905 — a table of words reads better than a list literal

FUNCTION_WORDS = {"的": 6.0, "和": 1.6, "在": 1.0, "对": 0.8, "与": 0.7, "及": 0.6, "为": 0.6}
FUNCTION_SHARE = 0.10  # of all words in a sentence
TITLE_ENDINGS = ["的通知", "的意见", "的实施方案", "的批复", "的报告", "的函", "的决定", "工作要点"]
CONTENT_TAGS = {"n", "v", "vn", "a", "an", "nz", "ns", "nt", "l", "i", "j", "d", "b"}
_HAN = re.compile(r"[\u4e00-\u9fff]{2,4}")


# -- the corpus ----------------------------------------------------------------------------


def build_vocabulary(size: int) -> list[str]:
    """GOVERNMENT_COMMON, then tongban's government vocabulary, then jieba 0.42.1's dictionary
    words of 2–4 Han characters with a content part of speech, by descending frequency."""
    import jieba

    from tongban.core import text

    words: list[str] = list(GOVERNMENT_COMMON)
    words += [w for w in text.vocabulary() if _HAN.fullmatch(w)]
    entries = []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as handle:
        for line in handle:
            word, freq, tag = line.split()
            if tag in CONTENT_TAGS and _HAN.fullmatch(word):
                entries.append((-int(freq), word))
    entries.sort()
    words += [w for _, w in entries]
    return list(dict.fromkeys(words))[:size]


class Corpus:
    """Deterministic documents: words drawn with Zipf weights 1/rank^s, sentences of 6–16 words
    ending in ，or 。, bodies of 900–1,100 bytes of UTF-8, titles 关于 + 2–3 words + an ending."""

    def __init__(self, vocabulary: list[str], seed: int = SEED) -> None:
        self.vocabulary = vocabulary
        weights = [1.0 / (rank**ZIPF_EXPONENT) for rank in range(1, len(vocabulary) + 1)]
        total = sum(weights)
        content = [w / total * (1 - FUNCTION_SHARE) for w in weights]
        function_total = sum(FUNCTION_WORDS.values())
        function = [v / function_total * FUNCTION_SHARE for v in FUNCTION_WORDS.values()]
        self.population = list(vocabulary) + list(FUNCTION_WORDS)
        self.cum_weights = list(_accumulate(content + function))
        self.content_cum = list(_accumulate(weights))
        self.seed = seed

    def documents(self, n: int) -> Iterator[tuple[int, str, str, int]]:
        """(id, title, body, department) for ids 1..n."""
        rng = random.Random(self.seed)
        choices = rng.choices
        population, cum = self.population, self.cum_weights
        for pk in range(1, n + 1):
            target = rng.randint(900, 1100)
            parts: list[str] = []
            size = 0
            while size < target:
                words = choices(population, cum_weights=cum, k=rng.randint(6, 16))
                sentence = "".join(words) + ("。" if rng.random() < 0.35 else "，")
                parts.append(sentence)
                size += len(sentence.encode())
            body = "".join(parts)
            body = body[:-1] + "。"
            head = choices(self.vocabulary, cum_weights=self.content_cum, k=rng.randint(2, 3))
            title = "关于" + "".join(head) + rng.choice(TITLE_ENDINGS)
            yield pk, title, body, rng.randint(1, DEPARTMENTS)


def _accumulate(values: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def sample_queries(vocabulary: list[str], n: int, seed: int) -> list[dict[str, Any]]:
    """Two different words, each of a rank drawn log-uniformly from LOWEST_QUERY_RANK to the
    vocabulary size: every decade of frequency (ranks 10–100, 100–1,000, …) equally likely, so
    common words and rare ones both appear (not the corpus frequency, which would give almost
    only the commonest words)."""
    rng = random.Random(seed)
    low, high = math.log(LOWEST_QUERY_RANK), math.log(len(vocabulary) + 1)
    queries = []
    while len(queries) < n:
        ranks = sorted(int(math.exp(rng.uniform(low, high))) for _ in range(2))
        if ranks[0] == ranks[1]:
            continue
        a, b = (vocabulary[r - 1] for r in ranks)
        queries.append({"q": f"{a} {b}", "words": (a, b), "ranks": ranks})
    return queries


def band(rank: int) -> str:
    return "common" if rank <= 100 else "middle" if rank <= 1000 else "rare"


# -- measuring -----------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    index = max(0, math.ceil(p / 100 * len(ordered)) - 1)
    return ordered[index]


def latency_summary(samples_s: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "queries": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def whoosh_run(
    home: Path, rows: Callable[[], Iterator[tuple[int, str, str, int]]], n: int
) -> dict[str, Any]:
    """Build the Whoosh index; return its figures and a search function."""
    import logging

    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index

    jieba.setLogLevel(logging.WARNING)
    analyzer = ChineseAnalyzer()
    schema = fields.Schema(
        id=fields.NUMERIC(stored=True, unique=True, bits=64),
        title=fields.TEXT(analyzer=analyzer, field_boost=2.5),
        body=fields.TEXT(analyzer=analyzer),
        department=fields.ID,
    )
    folder = home / "whoosh"
    folder.mkdir(exist_ok=True)
    ix = index.create_in(str(folder), schema)
    t0 = time.perf_counter()
    writer = ix.writer(limitmb=256)
    for pk, title, body, department in rows():
        writer.add_document(id=pk, title=title, body=body, department=str(department))
    add_s = time.perf_counter() - t0
    writer.commit()
    total_s = time.perf_counter() - t0
    return {
        "index": ix,
        "figures": {
            "docs_per_s": round(n / total_s, 1),
            "seconds": round(total_s, 1),
            "add_seconds": round(add_s, 1),
            "commit_seconds": round(total_s - add_s, 1),
            "index_mb": round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--docs", type=int, help="corpus size (default 1,000,000; quick 20,000)")
    parser.add_argument("--queries", type=int, help="two-term queries timed (default 400)")
    parser.add_argument("--scan-queries", type=int, help="of those, run as a scan too")
    parser.add_argument("--home", help="development: build in / reuse this TONGBAN_HOME")
    parser.add_argument("--no-whoosh", action="store_true")
    args = parser.parse_args()
    n = args.docs or (20_000 if args.quick else 1_000_000)
    n_queries = args.queries or (200 if args.quick else 400)
    n_scan = args.scan_queries or (40 if args.quick else 30)

    if args.home:
        os.environ["TONGBAN_HOME"] = str(Path(args.home).resolve())
        Path(args.home).mkdir(parents=True, exist_ok=True)
    home = django_in_temp_home() if not args.home else _django_in(Path(args.home))

    from django.db import connection, models, transaction
    from django.db.models import Q

    from tongban.core import text
    from tongban.core.search import SearchIndex

    class BenchDocument(models.Model):
        """The searched objects: a title, a body and the department that owns them."""

        title = models.CharField(max_length=200)
        body = models.TextField()
        department_id = models.IntegerField(db_index=True)

        class Meta:
            app_label = "bench"
            db_table = "bench_search_document"

        def __str__(self) -> str:
            return self.title

    index = SearchIndex("bench", columns=("title", "body"))
    vocabulary = build_vocabulary(VOCABULARY_SIZE)
    corpus = Corpus(vocabulary)
    load = {"before": load_average()}

    def table_rows() -> Iterator[tuple[int, str, str, int]]:
        last = 0
        while True:
            chunk = list(
                BenchDocument.objects.filter(id__gt=last)
                .order_by("id")
                .values_list("id", "title", "body", "department_id")[:5000]
            )
            if not chunk:
                return
            yield from chunk
            last = chunk[-1][0]

    existing = connection.introspection.table_names()
    indexing: dict[str, Any] = {}
    if BenchDocument._meta.db_table not in existing or index.table not in existing:
        with connection.schema_editor() as editor:
            editor.create_model(BenchDocument)
        # Loading the corpus into the model's table is not part of any figure.
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            batch: list[tuple[int, str, str, int]] = []
            for row in corpus.documents(n):
                batch.append(row)
                if len(batch) == 5000:
                    with transaction.atomic():
                        cursor.executemany(
                            "INSERT INTO bench_search_document (id, title, body, department_id)"
                            " VALUES (%s, %s, %s, %s)",
                            batch,
                        )
                    batch = []
            if batch:
                with transaction.atomic():
                    cursor.executemany(
                        "INSERT INTO bench_search_document (id, title, body, department_id)"
                        " VALUES (%s, %s, %s, %s)",
                        batch,
                    )
        corpus_s = time.perf_counter() - t0
        print(f"corpus: {n} documents in {corpus_s:.0f} s", file=sys.stderr, flush=True)

        index.create(connection)
        put_s, count = timed(
            lambda: index.put_many(
                ((pk, {"title": title, "body": body}) for pk, title, body, _ in table_rows()),
                batch_size=1000,
            )
        )
        optimize_s, _ = timed(index.optimize)
        indexing = {
            "documents": count,
            "docs_per_s": round(count / put_s, 1),
            "seconds": round(put_s, 1),
            "optimize_seconds": round(optimize_s, 1),
            "docs_per_s_including_optimize": round(count / (put_s + optimize_s), 1),
            "target_docs_per_s": 2000,
        }
        indexing["target_met"] = indexing["docs_per_s_including_optimize"] >= 2000
        print(f"indexing: {indexing}", file=sys.stderr, flush=True)
    else:
        index.upgrade(connection)  # a corpus built by an earlier version (--home)
    load["after_indexing"] = load_average()
    n = BenchDocument.objects.count()

    rng = random.Random(SEED + 1)
    visible = sorted(rng.sample(range(1, DEPARTMENTS + 1), VISIBLE_DEPARTMENTS))
    queries = sample_queries(vocabulary, n_queries, SEED + 2)
    warmup = sample_queries(vocabulary, 20, SEED + 3)

    from django.test.utils import CaptureQueriesContext

    visible_documents = BenchDocument.objects.filter(department_id__in=visible)

    def tongban(q: str) -> list[Any]:
        """What the documents search does: the filter in the queryset, a page of ``ranked``."""
        return index.ranked(visible_documents, q)[:20]

    def single_statement(q: str) -> list[Any]:
        """Every visible match ranked in one statement."""
        return list(index.search(visible_documents, q)[:20])

    def tongban_window(q: str) -> list[Any]:
        """Ranking bounded to the newest WINDOW visible matches (the filter inside)."""
        return list(index.search(visible_documents, q, window=WINDOW)[:20])

    def measure(name: str, search: Callable[[str], list[Any]]) -> dict[str, Any]:
        for item in warmup:
            search(item["q"])
        samples: list[float] = []
        by_band: dict[str, list[float]] = {}
        for item in queries:
            elapsed, rows = timed(lambda q=item["q"]: search(q))
            item[f"{name}_s"] = elapsed
            item[f"{name}_rows"] = len(rows)
            samples.append(elapsed)
            by_band.setdefault("+".join(band(r) for r in item["ranks"]), []).append(elapsed)
        with CaptureQueriesContext(connection) as ctx:
            search(queries[0]["q"])
        figures = {
            "latency": latency_summary(samples),
            "target_p95_ms": 50,
            "target_met": percentile(samples, 95) * 1000 <= 50,
            "by_band": {k: latency_summary(v) for k, v in sorted(by_band.items())},
            "sql_statements_per_search": len(ctx.captured_queries),
            "sql": [query["sql"][:1500] for query in ctx.captured_queries],
        }
        print(f"{name}: {figures['latency']}", file=sys.stderr, flush=True)
        return figures

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        mmap_bytes = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
    exact_figures = measure("tongban", tongban)
    exact_figures["connection"] = (
        f"tongban's settings: mmap_size={mmap_bytes}, cache_size={cache_size}"
    )
    single_figures = measure("single", single_statement)
    single_figures["query_plan"] = (
        index.search(visible_documents, queries[0]["q"])[:20].explain().splitlines()
    )
    same_as_single = sum(
        [(d.pk, round(d.search_rank, 9)) for d in tongban(item["q"])]
        == [(d.pk, round(d.search_rank, 9)) for d in single_statement(item["q"])]
        for item in queries
    )
    exact_figures["same_page_as_single_statement"] = f"{same_as_single} of {len(queries)} queries"
    # The web page also shows how many documents match (Paginator): a count of every match.
    count_samples = [
        timed(lambda q=item["q"]: index.ranked(visible_documents, q).count())[0] for item in queries
    ]
    exact_figures["count_of_matches"] = latency_summary(count_samples)
    # What the web page counts: at most SEARCH_COUNT_LIMIT (1,000) matches.
    capped_samples = [
        timed(lambda q=item["q"]: index.ranked(visible_documents, q, count_limit=1000).count())[0]
        for item in queries
    ]
    exact_figures["count_of_matches_up_to_1000"] = latency_summary(capped_samples)
    print(f"same page as the single statement: {same_as_single}", file=sys.stderr, flush=True)
    match_counts: dict[str, list[int]] = {}
    for item in queries:
        count = index.search(visible_documents, item["q"]).count()
        match_counts.setdefault("+".join(band(r) for r in item["ranks"]), []).append(count)
    exact_figures["visible_matches_by_band"] = {
        k: {"median": int(statistics.median(v)), "max": max(v)}
        for k, v in sorted(match_counts.items())
    }
    page = tongban(queries[0]["q"])
    terms = index.terms(queries[0]["q"])
    snippet_s, _ = timed(lambda: [text.snippet(doc.body, terms) for doc in page])
    exact_figures["snippets_for_one_page_ms"] = round(snippet_s * 1000, 2)
    # The same exact search with a larger page cache and memory-mapped reads: connection
    # settings (not tongban's defaults) an installation of this size could adopt.
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    mapped_figures = measure("mapped", tongban)
    mapped_figures["pragmas"] = f"mmap_size={MMAP_BYTES}, cache_size=-{CACHE_KIB}"
    connection.close()  # the next statement opens a connection with tongban's settings again
    window_figures = measure("window", tongban_window)
    window_figures["window"] = WINDOW
    same_first_page = sum(
        [d.pk for d in single_statement(item["q"])] == [d.pk for d in tongban_window(item["q"])]
        for item in queries
    )
    window_figures["same_first_page_as_exact"] = f"{same_first_page} of {len(queries)} queries"
    load["after_queries"] = load_average()

    # (b) the scan: the first n_scan queries, newest 20 with the same filter.
    def scan(words: Sequence[str], limit: int | None = 20) -> Any:
        qs = BenchDocument.objects.filter(department_id__in=visible)
        for word in words:
            qs = qs.filter(Q(title__contains=word) | Q(body__contains=word))
        return list(qs.order_by("-id").values_list("id", flat=True)[:limit])

    scanned = queries[:n_scan]
    for item in scanned:
        item["scan_s"], _ = timed(lambda w=item["words"]: scan(w))
    scan_samples = [item["scan_s"] for item in scanned]
    scan_figures: dict[str, Any] = {
        "latency": latency_summary(scan_samples),
        "query": "(title LIKE '%a%' OR body LIKE '%a%') AND (… b …) AND department_id IN (…) "
        "ORDER BY id DESC LIMIT 20 (stops early when the words are common)",
        "target_speedup": 20,
    }
    for name in ("tongban", "single", "window"):
        same = [item[f"{name}_s"] for item in scanned]
        scan_figures[f"{name}_on_the_same_queries"] = latency_summary(same)
        scan_figures[f"{name}_speedup_p50"] = round(
            statistics.median(scan_samples) / statistics.median(same), 1
        )
        scan_figures[f"{name}_speedup_p95"] = round(
            percentile(scan_samples, 95) / percentile(same, 95), 1
        )
        scan_figures[f"{name}_speedup_median_per_query"] = round(
            statistics.median(item["scan_s"] / item[f"{name}_s"] for item in scanned), 1
        )
        scan_figures[f"{name}_target_met"] = {
            metric: scan_figures[f"{name}_speedup_{metric}"] >= 20
            for metric in ("p50", "p95", "median_per_query")
        }
    print(f"scan: {scan_figures}", file=sys.stderr, flush=True)

    # Agreement of the match sets (every match, same filter) on the scanned queries.
    found_both = found_index_only = found_scan_only = 0
    for item in scanned[: min(len(scanned), 20)]:
        by_index = set(index.search(visible_documents, item["q"]).values_list("id", flat=True))
        by_scan = set(scan(item["words"], limit=None))
        found_both += len(by_index & by_scan)
        found_index_only += len(by_index - by_scan)
        found_scan_only += len(by_scan - by_index)
    agreement = {
        "queries": min(len(scanned), 20),
        "found_by_both": found_both,
        "found_by_index_only": found_index_only,
        "found_by_scan_only": found_scan_only,
        "index_recall_of_scan": round(found_both / max(1, found_both + found_scan_only), 4),
    }
    print(f"agreement: {agreement}", file=sys.stderr, flush=True)

    # (a) Whoosh with jieba's ChineseAnalyzer.
    whoosh_figures: dict[str, Any] = {"skipped": True}
    if not args.no_whoosh:
        from whoosh import qparser
        from whoosh.query import Or, Term

        built = whoosh_run(home, table_rows, n)
        whoosh_figures = built["figures"]
        print(f"whoosh indexing: {whoosh_figures}", file=sys.stderr, flush=True)
        ix = built["index"]
        parser_ = qparser.MultifieldParser(["title", "body"], ix.schema, group=qparser.AndGroup)
        allowed = Or([Term("department", str(d)) for d in visible])
        w_samples = []
        with ix.searcher() as searcher:
            for item in warmup:
                searcher.search(parser_.parse(item["q"]), filter=allowed, limit=20)
            for item in queries:
                elapsed, _ = timed(
                    lambda q=item["q"]: [
                        hit["id"]
                        for hit in searcher.search(parser_.parse(q), filter=allowed, limit=20)
                    ]
                )
                item["whoosh_s"] = elapsed
                w_samples.append(elapsed)
        whoosh_figures["latency"] = latency_summary(w_samples)
        for name in ("tongban", "single", "window"):
            mine = [item[f"{name}_s"] for item in queries]
            whoosh_figures[f"{name}_speedup_p50"] = round(
                statistics.median(w_samples) / statistics.median(mine), 2
            )
            whoosh_figures[f"{name}_speedup_p95"] = round(
                percentile(w_samples, 95) / percentile(mine, 95), 2
            )
        print(f"whoosh: {whoosh_figures['latency']}", file=sys.stderr, flush=True)
    load["at_end"] = load_average()

    db_path = Path(connection.settings_dict["NAME"])
    report(
        "search",
        {
            "quick": args.quick,
            "documents": n,
            "corpus": {
                "seed": SEED,
                "vocabulary": (
                    f"{len(vocabulary)} words: {len(GOVERNMENT_COMMON)} common government words "
                    "(bench/search.py GOVERNMENT_COMMON), then tongban's government vocabulary "
                    "(core/data/vocabulary.txt), then jieba 0.42.1 dict.txt words of 2-4 Han "
                    "characters tagged " + ",".join(sorted(CONTENT_TAGS)) + " by frequency"
                ),
                "word_frequency": f"Zipf: word of rank r drawn with weight 1/r^{ZIPF_EXPONENT}",
                "function_words": f"{FUNCTION_SHARE:.0%} of words: "
                + ", ".join(f"{k} {v}" for k, v in FUNCTION_WORDS.items()),
                "document": "body: sentences of 6-16 words without spaces ending in ，/。 up to "
                "900-1,100 bytes UTF-8; title: 关于 + 2-3 words + an ending (的通知 …); "
                f"department 1-{DEPARTMENTS} uniform",
                "mean_body_bytes": round(
                    sum(
                        len(b.encode())
                        for b in BenchDocument.objects.filter(id__lte=1000).values_list(
                            "body", flat=True
                        )
                    )
                    / min(n, 1000)
                ),
                "database_mb": round(db_path.stat().st_size / 2**20, 1),
            },
            "queries": {
                "sampling": (
                    "two different vocabulary words joined by a space; each word's rank drawn "
                    f"log-uniformly from {LOWEST_QUERY_RANK} to {len(vocabulary)} (equal "
                    "weight per decade of frequency); bands: common = rank ≤ 100, middle ≤ "
                    "1,000, rare > 1,000"
                ),
                "timed": len(queries),
                "filter": f"department_id IN ({VISIBLE_DEPARTMENTS} of {DEPARTMENTS})",
                "page": "LIMIT 20, full model rows",
                "warm_up": "20 other queries before timing; each timed query runs once",
                "examples": [item["q"] for item in queries[:8]],
            },
            "indexing": indexing or {"reused": True},
            "tongban": exact_figures,
            "tongban_single_statement": single_figures,
            "tongban_window": window_figures,
            "tongban_with_mmap": mapped_figures,
            "baseline_scan_like": scan_figures,
            "agreement_with_scan": agreement,
            "peer_whoosh_jieba": whoosh_figures,
            "load_average": load,
            "sqlite": connection.Database.sqlite_version,
        },
    )


def _django_in(home: Path) -> Path:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return home


if __name__ == "__main__":
    main()
