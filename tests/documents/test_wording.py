"""One word per thing: a step of the outgoing process is called the same on the document's stage
badge as in the process (the BPMN name the task panel shows), and taking a shared step is 领取
一个环节 wherever it is offered, refused or recorded."""

from __future__ import annotations

from pathlib import Path

from defusedxml import ElementTree
from django.utils import translation
from django.utils.translation import gettext

import tongban
from tongban.core import labels
from tongban.documents.models import OUTGOING_STEPS, Stage
from tongban.workflow.models import ACTION_LABELS

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def step_names(process: str) -> dict[str, str]:
    path = Path(tongban.__file__).parent / "workflow/processes" / f"{process}.bpmn"
    root = ElementTree.parse(path).getroot()
    return {task.get("id"): task.get("name") for task in root.iter(f"{BPMN}userTask")}


def test_each_outgoing_stage_is_called_as_its_step_in_the_process():
    names = step_names("outgoing_document")
    assert set(names) == {str(step) for step in OUTGOING_STEPS}
    with translation.override("zh-hans"):
        stages = {str(step): str(Stage(step).label) for step in OUTGOING_STEPS}
    assert stages == names  # e.g. 编号 for the numbering step, not 编号登记


def test_taking_a_shared_step_has_one_wording():
    offered = ["Take this step", "shared — take it", "The step is yours now."]
    refused = [
        "Someone has already taken this step.",
        "This step is not yours to take.",
        "Only a step taken from a shared queue can be released.",
    ]
    with translation.override("zh-hans"):
        chinese = [gettext(m) for m in offered + refused]
        chinese += [str(ACTION_LABELS["claim"]), labels.action_label("workflow.task.claim")]
    assert all("领取" in text for text in chinese), chinese
    assert not [text for text in chinese if "待办" in text and "共享待办" not in text], chinese
    with translation.override("en"):
        english = [str(ACTION_LABELS["claim"]), labels.action_label("workflow.task.claim")]
    assert not [text for text in english + offered + refused if "claim" in text.lower()]
    assert not [text for text in english + offered + refused if "task" in text.lower()]
