"""LocalJSONAdapter: DSPy's JSONAdapter with a prompt a small model can follow.

The output schema goes to the engine as data (`response_format`), and the engine's grammar
enforces it, so the prompt leaves out JSONAdapter's structure template.
"""

from __future__ import annotations

import textwrap
from typing import Any

import dspy
from dspy.adapters.utils import format_field_value

JSON_OUTPUT_NOTE = "Outputs will be a JSON object with these output fields, in this order."


class LocalJSONAdapter(dspy.JSONAdapter):
    """JSONAdapter with a compact prompt for a small model.

    The system message holds the instructions and the field list without the structure template
    (the grammar enforces the structure); inputs are `name: value` lines, empty ones left out.
    """

    def format_system_message(self, signature: type[dspy.Signature]) -> str:
        instructions = textwrap.dedent(signature.instructions).strip()
        return f"{instructions}\n\n{self.format_field_description(signature)}\n{JSON_OUTPUT_NOTE}"

    def format_user_message_content(
        self,
        signature: type[dspy.Signature],
        inputs: dict[str, Any],
        prefix: str = "",
        suffix: str = "",
        main_request: bool = False,
    ) -> str:
        lines = [prefix]
        for name, info in signature.input_fields.items():
            if inputs.get(name) not in (None, ""):
                lines.append(f"{name}: {format_field_value(field_info=info, value=inputs[name])}")
        lines.append(suffix)
        return "\n".join(line for line in lines if line)
