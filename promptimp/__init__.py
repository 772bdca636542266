"""Prompt Improver Workbench: turn a rough idea into a structured, high-quality prompt."""

import os

# litellm fetches its model price list from the network on import unless told to use the copy
# it ships; the workbench must start the same with or without a network.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
