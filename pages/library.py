"""Library: the tagged keepers, previewed and exported as a prompt library (Markdown, JSON)."""

import streamlit as st

from promptimp.text import plural
from ui import resources
from ui.text import escape_markdown

ALL_TAGS = "All tags"
EMPTY = (
    "The library is empty. To fill it, open a run in History, mark a version as the keeper "
    "in its run view and tag it (for example “tested” or “production”)."
)
PREVIEW_HEIGHT = 600


def downloads(markdown: str, tag: str | None) -> None:
    """The library (or its part under `tag`) as a Markdown and a JSON file."""
    stem = f"prompt-library-{tag}" if tag else "prompt-library"
    markdown_col, json_col = st.columns(2)
    for column, label, data, fmt, mime in (
        (markdown_col, "Download Markdown", markdown, "md", "text/markdown"),
        (
            json_col,
            "Download JSON",
            service.crafting.library("json", tag),
            "json",
            "application/json",
        ),
    ):
        column.download_button(
            label,
            data,
            file_name=f"{stem}.{fmt}",
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
            key=f"library_{fmt}",
        )


service = resources.get_service()
st.title("Prompt library")
st.caption(
    "The keeper versions that carry a tag, newest first: the prompts worth handing to a "
    "team. Export them as Markdown (one section per prompt) or JSON."
)

keepers = service.crafting.library_runs()
if not keepers:
    st.info(EMPTY, icon=":material/library_books:")
else:
    tags = sorted({tag for run in keepers for tag in run.tags})
    chosen = st.selectbox("Tag", [ALL_TAGS, *tags], key="library_tag")
    tag = None if chosen == ALL_TAGS else chosen
    shown = keepers if tag is None else service.crafting.library_runs(tag)
    tagged = f" tagged “{escape_markdown(tag)}”" if tag else ""
    st.caption(f"{plural(len(shown), 'prompt')}{tagged}; the preview is the Markdown file.")
    markdown = service.crafting.library("md", tag)
    downloads(markdown, tag)
    with st.container(border=True, height=PREVIEW_HEIGHT):
        st.markdown(markdown)
