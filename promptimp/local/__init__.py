"""The embedded local model: a GGUF file run in-process by llama.cpp behind DSPy's engine contract.

One module per job, each importable on its own (nothing is imported here, so the pure-Python
parts load without llama.cpp):

    model.py        the model file (bundled or LOCAL_MODEL_PATH), loading, grammars (llama.cpp)
    schema.py       tightening a JSON output schema into short, spaced prose fields (pure)
    processors.py   logits processors against repeats, copies, duplicates and overruns (pure)
    engine.py       LocalEngine: a dspy.lm15.Request -> a llama.cpp chat completion; build_local_lm
    adapter.py      LocalJSONAdapter: a compact prompt, the output schema sent as response_format
"""
