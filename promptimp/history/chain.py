"""A run's version chain in SQL: the same recursive query on SQLite and PostgreSQL.

A chain is a first version (parent_id NULL) and every refinement below it. Both schemas
hold parent_id < id, so a walk up or down always ends; UNION (not UNION ALL) would end a
loop anyway.
"""

from __future__ import annotations


def chain_cte(run_id: str) -> str:
    """`WITH RECURSIVE ...` defining `chain(id)`: every run of the chain holding the run
    whose id is the placeholder `run_id` (walk up to the first version, then down to every
    descendant). Empty for an unknown id. Follow it with the statement that uses `chain`."""
    return (
        "WITH RECURSIVE ancestors (id, parent_id) AS ("
        f" SELECT id, parent_id FROM prompt_history WHERE id = {run_id}"
        " UNION SELECT p.id, p.parent_id FROM prompt_history p"
        " JOIN ancestors a ON p.id = a.parent_id),"
        " chain (id) AS ("
        " SELECT id FROM ancestors WHERE parent_id IS NULL"
        " UNION SELECT p.id FROM prompt_history p JOIN chain c ON p.parent_id = c.id)"
    )


def keeper_update(run_id: str) -> str:
    """Mark the run `run_id` (a named placeholder, used twice) as its chain's keeper and
    unmark the chain's others, touching only the rows whose flag changes."""
    return (
        f"{chain_cte(run_id)} UPDATE prompt_history SET keeper = (id = {run_id})"
        f" WHERE id IN (SELECT id FROM chain) AND keeper <> (id = {run_id})"
    )
