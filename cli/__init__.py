"""The `promptimp` command line: a surface over the service, like the workbench and the API.

app.py      builds the Typer app from its parts and maps every error to one line (main)
context.py  what commands share: the service (built on first use), options, usage lines
output.py   printing runs, tables and figures for people, JSON for scripts
runs.py     improve, show, history (list and copy), stats, cleanup, export
server.py   health, serve, compile-fewshot
The `eval` commands live with the evaluation tooling, in eval/cli.py.
"""
