"""LocalJSONAdapter: the compact prompt a small model reads (pure Python, no model)."""

from promptimp.improver import ImprovePromptParts
from promptimp.local.adapter import JSON_OUTPUT_NOTE, LocalJSONAdapter


def test_local_adapter_writes_a_compact_prompt():
    messages = LocalJSONAdapter().format(
        ImprovePromptParts, demos=[], inputs={"original_idea": "Plan a trip", "context": ""}
    )
    system, user = messages[0]["content"], messages[-1]["content"]
    assert system.startswith("Turn a rough idea into the parts")
    assert "{role}" not in system and "[[ ##" not in system
    listed = [f"`{name}`" for name in ImprovePromptParts.output_fields]
    assert all(name in system for name in listed) and system.endswith(JSON_OUTPUT_NOTE)
    assert user == "original_idea: Plan a trip"
