"""The crafting loop: try a prompt, refine it, measure its stability, tag and share it, learn.

tags.py           normalise_tag: one normal form for a tag; the quick tags
refine.py         the refine program (a version's parts + feedback -> new parts)
feedback.py       feedback checks and the quick choices (no DSPy)
diff.py           word diffs between texts and between versions of a run
trying.py         try a prompt (or a run's prompt and original idea) on a target model
stability.py      the spread of N runs of one idea; the repeat count's range
library.py        a prompt library from keeper runs, as Markdown and JSON
user_trainset.py  the user trainset file: add, list and remove examples made from good runs

Each module is pure or uses DSPy only: none reads the history store, eval/ or the UI. Import
from the module itself (promptimp.crafting.tags, ...): this package imports none of them, so
tagging or listing never loads DSPy.
"""
