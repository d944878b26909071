"""No test that cannot fail (tests/honesty.py): the suite is clean, and the check finds each
pattern it claims to find, and not the honest code beside it."""

from __future__ import annotations

import textwrap

from tests import honesty


def found(source: str, **others: str) -> list[tuple[int, str]]:
    """(line, kind) of each finding in ``source`` (helpers may live in ``others``)."""
    sources = {"tests/test_x.py": textwrap.dedent(source)}
    sources |= {f"tests/{name}.py": textwrap.dedent(text) for name, text in others.items()}
    return [(f.line, f.kind) for f in honesty.scan(sources) if f.path == "tests/test_x.py"]


def test_the_suite_has_no_test_that_cannot_fail():
    sources = honesty.sources()
    # it reads every module under tests/, in every folder
    assert {"tests/test_honest_tests.py", "tests/workflow/test_diagram.py"} <= set(sources)
    assert [str(f) for f in honesty.scan(sources)] == []


def test_a_status_code_against_alternatives_is_found():
    assert found(
        """
        def test_refused(client):
            r = client.get("/x/")
            assert r.status_code in (200, 403)
            assert r.status_code in {200, 201}
            assert r.status_code in [301, 302]
            assert r.status_code in range(200, 300)
            assert r.status_code == 403
            assert r.status_code in (403,)
        """
    ) == [(4, "status"), (5, "status"), (6, "status"), (7, "status")]


def test_a_status_code_with_alternatives_in_a_helper_is_found():
    source = """
        def post(client, url):
            response = client.post(url)
            assert response.status_code in (200, 201), url
            return response.json()

        def test_it(client):
            assert post(client, "/x/") == {}
        """
    assert found(source) == [(4, "status")]


def test_a_test_that_checks_only_inside_an_if_is_found():
    assert found(
        """
        def test_containers_are_never_pending(drawn):
            for g in drawn:
                classes = g.split()
                if "lane" in classes:
                    assert "pending" not in classes

        def test_checked_on_both_branches(x):
            if x:
                assert x == 1
            else:
                assert x is None

        def test_checked_after_the_if(x):
            if x:
                x = 2
            assert x == 2

        def test_under_a_conditional_expression(x):
            assert x == 1 if x else True
        """
    ) == [(2, "if-only")]


def test_a_test_that_checks_nothing_is_found():
    assert found(
        """
        import contextlib

        import pytest

        def test_nothing(client):
            client.get("/x/")

        def test_hidden(client):
            with contextlib.suppress(Exception):
                client.get("/x/")

        def test_raises(client):
            with pytest.raises(ValueError):
                client.get("/x/")

        def test_only_the_expected_error_escapes(client):
            with contextlib.suppress(ValueError):
                client.get("/x/")

        def test_queries(django_assert_max_num_queries, client):
            with django_assert_max_num_queries(3):
                client.get("/x/")

        def test_through_helpers(client):
            refused(client)

        def test_a_nested_helper(client):
            def check():
                assert client
            check()
        """,
        helpers="""
        def refused(client):
            expect_status(client.get("/x/"), 403)

        def expect_status(response, status):
            assert response.status_code == status
        """,
    ) == [(6, "no-check"), (9, "no-check")]


def test_a_helper_named_like_a_check_that_checks_nothing_does_not_count():
    assert found(
        """
        def check(report):
            return report["ok"]

        def test_it(report):
            check(report)
        """
    ) == [(5, "no-check")]


def test_either_language_or_either_outcome_is_found():
    assert found(
        """
        def test_it(message, report, tokens):
            assert "在您这里" in message or "with you" in message
            assert report and ("second person" in message or "另一人" in message)
            assert report["authenticity"] is False or report["integrity"] is False
            assert any(t in message for t in ("ServiceTask", "Task_"))
            assert message == "流程正在您这里办理，无需撤回。"
            assert not ("<script" in message or "<b>" in message)
            assert not [t for t in tokens if t.endswith("script") or t.endswith("}b")]
            assert any(t in message for t in tokens)
            assert report["ok"] and report["authenticity"]
        """
    ) == [(3, "either"), (4, "either"), (5, "either"), (6, "either")]


def test_a_single_common_word_is_found():
    assert found(
        """
        def test_it(message):
            assert "not" in message
            assert "不" in message
            assert "The" in message
            assert "not allowed" in message
            assert "INVALID" in message
        """
    ) == [(3, "weak-word"), (4, "weak-word"), (5, "weak-word")]


def test_a_finding_names_the_file_and_the_line():
    [finding] = honesty.scan(
        {"tests/documents/test_y.py": "def test_y(r):\n    assert r.status_code in (200, 403)\n"}
    )
    assert str(finding) == (
        "tests/documents/test_y.py:2: status: r.status_code in (200, 403): a status code is one "
        "answer, not a choice"
    )
