"""A pytest plugin failing the session when tests wrote into the checkout's data/ folder.

At session start it records every file's size and modification time there (the SQLite
database and its -wal and -shm files included); at session end any file that changed,
appeared or vanished fails the run with one line naming the files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FileStamps = dict[str, tuple[int, int]]


def file_stamps(folder: Path) -> FileStamps:
    """Each file in `folder` (recursively) by relative name: its size and mtime in ns."""
    stamps: FileStamps = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            status = path.stat()
            stamps[str(path.relative_to(folder))] = (status.st_size, status.st_mtime_ns)
    return stamps


def touched_files(before: FileStamps, after: FileStamps) -> list[str]:
    """The names whose size or mtime differ, that appeared, or that vanished."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


class CheckoutDataGuard:
    """Registered once per session; watches `folder` from session start to session finish."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.before: FileStamps = {}

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.before = file_stamps(self.folder)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        touched = touched_files(self.before, file_stamps(self.folder))
        if touched:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            message = (
                f"tests wrote {', '.join(touched)} in {self.folder}; every test must use its"
                " own tmp dir (set SQLITE_DB_PATH)"
            )
            if reporter is not None:
                reporter.write("\n")  # after the progress column, on a line of its own
                reporter.write_line(f"ERROR: {message}", red=True, bold=True)
