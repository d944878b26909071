"""The audit trail: append-only in the database, and the chain detects edits and deletions."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tongban.audit import services, triggers
from tongban.audit.models import AuditEntry

pytestmark = [
    pytest.mark.django_db,
    # The chain is tested with made-up codes ("test.event"), which no app names (core.labels).
    pytest.mark.filterwarnings("ignore::tongban.core.labels.UnlabelledCode"),
]


def write(n: int) -> list[AuditEntry]:
    return [
        services.record("test.event", object_type="test", object_id=i, after={"n": i, "名": "值"})
        for i in range(n)
    ]


def drop_triggers() -> None:
    with connection.cursor() as cursor:
        for sql in triggers.statements(connection.vendor, create=False):
            cursor.execute(sql)


def restore_triggers() -> None:
    with connection.cursor() as cursor:
        for sql in triggers.statements(connection.vendor, create=True):
            cursor.execute(sql)


def run_verify() -> tuple[int, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        return 0, out.getvalue()
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue()


def test_chain_of_fresh_entries_verifies():
    before = AuditEntry.objects.count()
    write(5)
    result = services.verify_chain()
    assert result.ok and result.checked == before + 5
    assert run_verify()[0] == 0


def test_database_refuses_update_and_delete():
    entry = write(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.event"


@pytest.fixture
def tamperable():
    """Drop the triggers inside the test's transaction (rolled back with it afterwards)."""
    drop_triggers()
    yield
    restore_triggers()


def test_edited_entry_is_named(tamperable):
    entries = write(6)
    AuditEntry.objects.filter(pk=entries[3].pk).update(detail="quietly changed")
    code, message = run_verify()
    assert code == 1 and f"#{entries[3].seq}" in message and "修改" in message


def test_deleted_entry_is_named(tamperable):
    entries = write(6)
    AuditEntry.objects.filter(pk=entries[2].pk).delete()
    code, message = run_verify()
    assert code == 1 and f"#{entries[2].seq}" in message


def test_deleted_newest_entry_is_detected(tamperable):
    entries = write(4)
    AuditEntry.objects.filter(pk=entries[-1].pk).delete()
    code, message = run_verify()
    assert code == 1 and f"#{entries[-1].seq}" in message


def test_reordered_entries_are_detected(tamperable):
    entries = write(5)
    a, b = entries[1], entries[2]
    # Swap the two rows' positions (seq is the primary key).
    AuditEntry.objects.filter(seq=a.seq).update(seq=-1)
    AuditEntry.objects.filter(seq=b.seq).update(seq=a.seq)
    AuditEntry.objects.filter(seq=-1).update(seq=b.seq)
    code, message = run_verify()
    assert code == 1 and f"#{a.seq}" in message


def test_recomputed_hash_is_still_caught_by_the_sealed_head(tamperable):
    from tongban.audit import chain

    entries = write(3)
    last = AuditEntry.objects.get(pk=entries[-1].pk)
    last.detail = "forged"
    fields = {name: getattr(last, name) for name in chain.HASHED_FIELDS}
    AuditEntry.objects.filter(pk=last.pk).update(
        detail="forged", entry_hash=chain.entry_hash(fields)
    )
    result = services.verify_chain()
    assert not result.ok and result.bad_seq == last.seq


def test_failed_change_leaves_no_audit_entry():
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record("test.rolled_back")
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before
    assert services.verify_chain().ok


def test_cli_names_the_entry_edited_in_a_real_database_file(tmp_path):
    """The operator's path: a served database on disk, triggers dropped, a row edited with sqlite3."""
    import os
    import sqlite3
    import subprocess
    import sys

    env = {
        **os.environ,
        "TONGBAN_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tongban.settings.base",
    }
    env.pop("TONGBAN_DATABASE_URL", None)
    tongban = [sys.executable, "-m", "tongban"]
    subprocess.run([*tongban, "migrate", "-v", "0"], env=env, check=True)
    for name in ("ops1", "ops2", "ops3"):
        subprocess.run(
            [*tongban, "createadmin", "--username", name, "--role", "auditor"],
            env=env,
            check=True,
            capture_output=True,
        )
    ok = subprocess.run([*tongban, "audit", "verify"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    db = sqlite3.connect(tmp_path / "tongban.sqlite3")
    with pytest.raises(sqlite3.DatabaseError):
        db.execute("UPDATE audit_auditentry SET detail = 'x' WHERE seq = 2")
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit_auditentry SET actor_username = 'someone-else' WHERE seq = 2")
    db.commit()
    db.close()
    broken = subprocess.run([*tongban, "audit", "verify"], env=env, capture_output=True, text=True)
    assert broken.returncode == 1 and "#2" in broken.stderr
