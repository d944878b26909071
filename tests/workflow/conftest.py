"""An organisation in which the outgoing-document process has someone for every step."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def office(make_staff: Any) -> dict[str, Any]:
    return {
        "clerk": make_staff("edu_basic", "wf.clerk", role="clerk").user,
        "chief": make_staff("edu_basic", "wf.chief", role="division_head").user,
        "edu_head": make_staff("edu", "wf.eduhead", role="bureau_head").user,
        "fin_head": make_staff("fin", "wf.finhead", role="bureau_head").user,
        "east_head": make_staff("east", "wf.easthead", role="bureau_head").user,
        "other": make_staff("fin", "wf.other", role="clerk").user,
    }
