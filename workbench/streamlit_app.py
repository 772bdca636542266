"""What `make run` starts (`streamlit run workbench`): the router app.py, from a folder with
no `pages/` beside it.

Streamlit 1.67 decides once per process, on the first request, whether the app is an old
pages-folder app: it is when a folder named `pages` sits next to the script Streamlit was
started with. A deep link such as /history as that first request would then run
pages/history.py on its own, without app.py, for every later visitor. Started from here,
Streamlit never sees a `pages/` sibling, so every request goes through app.py while app.py and
pages/ keep their places at the top level (docs/ARCHITECTURE.md, "Deep links").
"""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # Streamlit puts this folder, not the checkout, on the path
    sys.path.insert(0, str(ROOT))

runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
