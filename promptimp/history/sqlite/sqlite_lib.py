"""sqlite-utils, imported without pandas and numpy.

sqlite-utils imports pandas and numpy (when installed) only to map their scalar types to
column types. The store writes plain Python values, so loading those libraries just to read
the history would triple the start-up time of every command. Where they are already
imported (the Streamlit app), nothing changes.
"""

import sys

_BLOCKED = [name for name in ("pandas", "numpy") if name not in sys.modules]
for _name in _BLOCKED:
    sys.modules[_name] = None  # type: ignore[assignment]  # makes `import pandas` fail
try:
    from sqlite_utils import Database, Migrations
finally:
    for _name in _BLOCKED:
        del sys.modules[_name]

__all__ = ["Database", "Migrations"]
