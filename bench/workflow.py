"""The standard outgoing-document process run N times through the facade with every step
persisted (SQLite), beside the same process run by SpiffWorkflow in memory with no persistence
(the engine's own limit), beside that run with the engine's state serialised after every step
but stored nowhere (what keeping the state per step costs before any database), and beside the
engine with only its own state written to SQLite per step (the floor of any persisted design),
in the same run. Also: the cost of one step of an
instance with a long history (1,000 completed tasks) against a short one (10), and the inbox
query's p95 over many open tasks beside the first design of that query.

The peer: the same process run by the npm package bpmn-engine (bench/peer/bpmn_engine_run.mjs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_home, report

STEPS = ["draft", "review", "countersign", "sign_off", "numbering", "sealing", "distribution"]


def peer(bpmn_xml: str, n: int) -> dict[str, object]:
    """Run the npm peer; its own figures, or why it could not run."""
    import json
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parent.parent
    with tempfile.NamedTemporaryFile("w", suffix=".bpmn", delete=False) as handle:
        handle.write(bpmn_xml)
    try:
        out = subprocess.run(
            ["node", str(root / "bench/peer/bpmn_engine_run.mjs"), handle.name, str(n)],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=1800,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return {"error": str(exc)[:300]}
    result = json.loads(out.strip().splitlines()[-1])
    return {
        "instances_per_s": round(result["instances"] / result["seconds"], 1),
        "task_completions_per_s": round(result["completions"] / result["seconds"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 50 if args.quick else 2000
    django_in_temp_home()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.audit.context import audit_context
    from tongban.demo.services import seed
    from tongban.identity.models import User
    from tongban.workflow import engine, selectors, services
    from tongban.workflow.models import ProcessDefinition, Task

    seed("Bench-Demo-Pass-2026")
    clerk = User.objects.get(username="clerk")
    definition = ProcessDefinition.objects.filter(key="outgoing_document").latest("version")
    variables = {"countersign_departments": ["SFS-CZJ", "SFS-JYJ", "SFS-FGW"]}
    system = {
        "initiator": "clerk",
        "initiator_department": "SFS-BGT-MSC",
        "initiator_bureau": "SFS-BGT",
    }

    # Baseline: the engine alone, in memory, no persistence.
    start = time.perf_counter()
    in_memory_completions = 0
    for _ in range(n):
        wf = engine.Workflow.start(definition.spec, {**variables, **system}, cache_key="bench")
        while not wf.completed:
            task = wf.ready_user_tasks()[0]
            wf.complete(task.id, {"approved": True})
            in_memory_completions += 1
    in_memory_s = time.perf_counter() - start

    # The floor of any design that keeps the engine's state per step: the same in-memory run,
    # each completion followed only by producing the state as JSON (no restore, no database).
    import json

    start = time.perf_counter()
    for _ in range(n):
        wf = engine.Workflow.start(definition.spec, {**variables, **system}, cache_key="bench")
        json.dumps(wf.state())
        while not wf.completed:
            task = wf.ready_user_tasks()[0]
            wf.complete(task.id, {"approved": True})
            json.dumps(wf.state())
    serialised_s = time.perf_counter() - start

    # A second reference: the engine with only its own state saved, each step restored from and
    # written back to a plain SQLite table in its own transaction (no task rows, history, audit
    # or permission checks): the floor of any design that persists SpiffWorkflow per step.
    import sqlite3
    import tempfile

    raw = sqlite3.connect(Path(tempfile.mkdtemp()) / "raw.sqlite3", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE state (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    start = time.perf_counter()
    raw_completions = 0
    for i in range(n):
        wf = engine.Workflow.start(definition.spec, {**variables, **system}, cache_key="bench")
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO state VALUES (?, ?)", (i, json.dumps(wf.state())))
        raw.execute("COMMIT")
        while True:
            raw.execute("BEGIN IMMEDIATE")
            (body,) = raw.execute("SELECT body FROM state WHERE id = ?", (i,)).fetchone()
            wf = engine.Workflow.restore(definition.spec, json.loads(body), cache_key="bench")
            if wf.completed:
                raw.execute("COMMIT")
                break
            task = wf.ready_user_tasks()[0]
            wf.complete(task.id, {"approved": True})
            raw.execute("UPDATE state SET body = ? WHERE id = ?", (json.dumps(wf.state()), i))
            raw.execute("COMMIT")
            raw_completions += 1
    state_only_s = time.perf_counter() - start

    # Persisted: the services, every step a transaction with rows, history and audit.
    def performer(task: Task) -> User:
        if task.assignee_id:
            return task.assignee
        return task.candidates.first().user

    start = time.perf_counter()
    persisted_completions = 0
    with audit_context(user=clerk, source="bench"):
        for i in range(n):
            instance = services.start_instance(
                clerk, process_key="outgoing_document", title=f"基准{i}", variables=variables
            )
            while True:
                task = instance.tasks.filter(status="open").select_related("assignee").first()
                if task is None:
                    break
                services.complete_task(performer(task), task.pk, data={"approved": True})
                persisted_completions += 1
    persisted_s = time.perf_counter() - start

    # What one completion asks of the database, for the figures above (the audit append's two
    # statements go through the driver's own cursor on SQLite and are not among these).
    statements: list[int] = []
    with audit_context(user=clerk, source="bench"):
        instance = services.start_instance(
            clerk, process_key="outgoing_document", variables=variables
        )
        while (task := instance.tasks.filter(status="open").first()) is not None:
            worker = performer(task)
            with CaptureQueriesContext(connection) as step:
                services.complete_task(worker, task.pk, data={"approved": True})
            statements.append(len(step.captured_queries))

    # History: one step on an instance with 10 vs 1,000 completed tasks before it.
    def step_cost(history_len: int) -> float:
        instance = services.start_instance(
            clerk, process_key="outgoing_document", variables=variables
        )
        for _ in range(history_len // 2):
            services.complete_task(clerk, instance.tasks.get(status="open").pk)
            services.complete_task(
                User.objects.get(username="chief"),
                instance.tasks.get(status="open").pk,
                data={"approved": False},
            )
        samples = []
        for _ in range(5):
            t0 = time.perf_counter()
            services.complete_task(clerk, instance.tasks.get(status="open").pk)
            samples.append(time.perf_counter() - t0)
            services.complete_task(
                User.objects.get(username="chief"),
                instance.tasks.get(status="open").pk,
                data={"approved": False},
            )
        return statistics.median(samples)

    long_history = 100 if args.quick else 1000
    short_cost, long_cost = step_cost(10), step_cost(long_history)

    # Inbox query latency over many open tasks: rows made in bulk (the engine is not involved).
    from datetime import timedelta

    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from tongban.workflow.models import InboxEntry, ProcessInstance, TaskCandidate

    today = timezone.localdate()
    users = list(User.objects.filter(admin_role="")[:60])
    open_target = 10_000 if args.quick else 100_000
    with transaction.atomic():
        instances = ProcessInstance.objects.bulk_create(
            [
                ProcessInstance(
                    definition=definition, initiator=users[i % len(users)], title=f"批量{i}"
                )
                for i in range(open_target // 10)
            ]
        )
        tasks = Task.objects.bulk_create(
            [
                Task(
                    instance=instances[i // 10],
                    engine_id=f"bulk-{i}",
                    bpmn_id="review",
                    name="核稿",
                    assignee=users[i % len(users)] if i % 4 else None,
                    due_on=today + timedelta(days=(i * 7) % 30),
                )
                for i in range(open_target)
            ],
            batch_size=5000,
        )
        TaskCandidate.objects.bulk_create(
            [
                TaskCandidate(task=t, user=users[(k + j) % len(users)])
                for k, t in enumerate(tasks)
                if t.assignee_id is None
                for j in range(3)
            ],
            batch_size=5000,
        )
        # The entries the services keep for each open task (services._sync_inbox).
        candidates: dict[int, list[int]] = {}
        for task_id, user_id in TaskCandidate.objects.filter(
            task__engine_id__startswith="bulk-"
        ).values_list("task_id", "user_id"):
            candidates.setdefault(task_id, []).append(user_id)
        InboxEntry.objects.bulk_create(
            [
                InboxEntry(
                    task=t,
                    instance_id=t.instance_id,
                    user_id=user_id,
                    due_on=t.due_on,
                    created_at=t.created_at,
                )
                for t in tasks
                for user_id in ([t.assignee_id] if t.assignee_id else candidates[t.pk])
            ],
            batch_size=5000,
        )

    def p95(query: object) -> float:
        latencies = []
        for user in users * 5:
            t0 = time.perf_counter()
            query(user)  # type: ignore[operator]
            latencies.append(time.perf_counter() - t0)
        latencies.sort()
        return latencies[int(len(latencies) * 0.95) - 1] * 1000

    def sorted_open_tasks(user: User) -> list[Task]:
        """Baseline: the first inbox design, every open task of the person sorted by due date."""
        mine = Task.objects.filter(status="open", assignee=user).values("pk")
        shared = TaskCandidate.objects.filter(user=user).values("task_id")
        qs = Task.objects.filter(
            Q(pk__in=mine) | (Q(pk__in=shared) & Q(assignee__isnull=True) & Q(status="open"))
        )
        return list(
            qs.select_related("instance__definition", "instance__initiator", "assignee")
            .defer(*selectors.LIST_DEFERRED)
            .order_by("due_on", "created_at")[:50]
        )

    inbox_p95 = p95(lambda user: list(selectors.inbox(user, selectors.InboxFilter("todo"))[:50]))
    counts_p95 = p95(selectors.counts)
    baseline_p95 = p95(sorted_open_tasks)
    with CaptureQueriesContext(connection) as ctx:
        list(selectors.inbox(clerk, selectors.InboxFilter("todo"))[:50])

    report(
        "workflow",
        {
            "quick": args.quick,
            "instances": n,
            "persisted": {
                "instances_per_s": round(n / persisted_s, 1),
                "task_completions_per_s": round(persisted_completions / persisted_s, 1),
                "statements_per_completion": round(statistics.mean(statements), 1),
            },
            "baseline_spiffworkflow_in_memory": {
                "instances_per_s": round(n / in_memory_s, 1),
                "task_completions_per_s": round(in_memory_completions / in_memory_s, 1),
            },
            "ratio_persisted_to_in_memory": round(in_memory_s / persisted_s, 3),
            "target_ratio": 0.5,
            "reference_engine_in_memory_state_serialised_per_step": {
                "task_completions_per_s": round(in_memory_completions / serialised_s, 1),
                "ratio_to_in_memory": round(in_memory_s / serialised_s, 3),
            },
            "reference_engine_state_only_in_sqlite": {
                "instances_per_s": round(n / state_only_s, 1),
                "task_completions_per_s": round(raw_completions / state_only_s, 1),
                "ratio_to_in_memory": round(in_memory_s / state_only_s, 3),
                "ratio_persisted_to_it": round(state_only_s / persisted_s, 3),
            },
            "step_with_history": {
                "history_10_ms": round(short_cost * 1000, 2),
                f"history_{long_history}_ms": round(long_cost * 1000, 2),
                "ratio": round(long_cost / short_cost, 2),
                "target_ratio_at_most": 2.0,
            },
            "inbox": {
                "open_tasks": Task.objects.filter(status="open").count(),
                "p95_ms": round(inbox_p95, 2),
                "target_p95_ms": 20,
                "counts_p95_ms": round(counts_p95, 2),
                "baseline_sort_all_open_p95_ms": round(baseline_p95, 2),
                "ratio_to_baseline": round(inbox_p95 / baseline_p95, 3),
                "queries_per_list": len(ctx.captured_queries),
            },
            "peer_bpmn_engine": peer(definition.bpmn_xml, n),
        },
    )


if __name__ == "__main__":
    main()
