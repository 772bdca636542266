"""Schemas shared by the local-model tests."""

DSPY_SCHEMA = {
    "type": "object",
    "title": "DSPyProgramOutputs",
    "properties": {
        "role": {"title": "Role", "type": "string"},
        "directive": {"title": "Directive", "type": "string"},
        "framework": {"title": "Framework", "type": "string"},
        "guardrails": {"title": "Guardrails", "type": "array", "items": {"type": "string"}},
        "reasoning": {"title": "Reasoning", "type": "string"},
        "confidence": {"title": "Confidence", "type": "number"},
    },
    "required": ["role", "directive", "framework", "guardrails", "reasoning", "confidence"],
    "additionalProperties": False,
}
"""What DSPy's JSONAdapter sends as response_format for ImprovePromptParts."""
