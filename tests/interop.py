"""Where the tests find the interoperability corpus: files made by other people's tools.

The corpus (BPMN files from the OMG BPMN MIWG test suite and from Camunda's examples, each kept
byte for byte with its source and licence in its ``bpmn/README.md``) is third-party test data
and not part of this repository. It lives beside the repository as ``../shared/interop``, or
wherever ``TONGBAN_INTEROP_DIR`` points. Without it the tests that read it are skipped, and the
run says so and where to put it; under CI (``CI=true``) they fail instead, so that CI never
passes without having run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV = "TONGBAN_INTEROP_DIR"
REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT = REPOSITORY.parent / "shared" / "interop"

# The ten files of bpmn/ (listed, so that a test is parametrized the same with or without them).
BPMN_FILES = (
    "camunda-invoiceApproval.bpmn",
    "camunda-loanApproval.bpmn",
    "camunda-spring-boot-sample.bpmn",
    "camunda-testing-job-announcement.bpmn",
    "miwg-reference-A.1.0.bpmn",
    "miwg-reference-A.2.0.bpmn",
    "miwg-reference-A.3.0.bpmn",
    "miwg-reference-A.4.0.bpmn",
    "miwg-reference-B.1.0.bpmn",
    "miwg-signavio-7.8.1-A.2.0-roundtrip.bpmn",
)


def interop_dir() -> Path:
    """``$TONGBAN_INTEROP_DIR``, else ``../shared/interop`` beside the repository."""
    given = os.environ.get(ENV, "").strip()
    return Path(given).expanduser().resolve() if given else DEFAULT


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_reason(folder: Path) -> str:
    return (
        f"the interoperability corpus is not at {folder}: put it there or set {ENV} "
        "to the folder that holds its bpmn/"
    )


def bpmn_dir() -> Path:
    """The corpus's ``bpmn/`` folder. Skips the calling test when it is absent (fails under CI)."""
    folder = interop_dir() / "bpmn"
    if not folder.is_dir():
        reason = missing_reason(folder)
        if under_ci():
            pytest.fail(f"{reason} (CI must run these tests)", pytrace=False)
        pytest.skip(reason)
    return folder


def bpmn_file(name: str) -> Path:
    """One file of the corpus (the test is skipped without the corpus; a file missing from a
    corpus that is there is an error, not a skip)."""
    path = bpmn_dir() / name
    assert path.is_file(), f"{path} is missing from the interoperability corpus"
    return path
