"""A plain start of the workbench, with no flags: it listens on localhost only, and with a
person's session open it watches no files (no inotify queue to overflow into the terminal)."""

from __future__ import annotations

import fcntl
import os
import socket
import struct
import sys
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.test_workbench_browser import CHROMIUM, CHROMIUM_ARGS
from tests.support import free_port, running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60


SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def outside_addresses() -> list[str]:
    """The IPv4 addresses of this machine's network interfaces other than loopback."""
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
            except OSError:  # no IPv4 address on this interface
                continue
            address = socket.inet_ntoa(answer[20:24])
            if not address.startswith("127."):
                found.append(address)
    return found


def server_pid(port: int) -> int:
    """The process serving `port` (started with `--server.port PORT`)."""
    wanted = f"--server.port\0{port}\0".encode()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if wanted in cmdline.read_bytes():
                return int(cmdline.parent.name)
        except OSError:  # the process ended meanwhile
            continue
    raise AssertionError(f"no process serves port {port}")


def inotify_watches(pid: int) -> int:
    """How many inotify watches the process holds, over all its descriptors (one closed while
    they are read holds none)."""
    watches = 0
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            watches += info.read_text().count("inotify wd:")
        except FileNotFoundError:
            continue
    return watches


def refuses(address: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((address, port)) != 0


@pytest.mark.parametrize("entry", [["workbench"], ["app.py"]])
def test_a_plain_start_listens_on_localhost_only_and_watches_no_files(tmp_path, entry):
    port = free_port()
    env = {**os.environ, "SQLITE_DB_PATH": str(tmp_path / "history.db")}
    command = [sys.executable, "-m", "streamlit", "run", *entry, "--server.port", str(port)]
    log_path = tmp_path / "streamlit.log"
    ready = f"http://127.0.0.1:{port}/_stcore/health"
    with running_server(command, ready, log_path, timeout_s=START_TIMEOUT_S, cwd=ROOT, env=env):
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        addresses = outside_addresses()
        if not addresses:
            pytest.fail("this machine has no address besides loopback to test against")
        assert all(refuses(address, port) for address in addresses), addresses
        with sync_playwright() as playwright:  # a session is what starts Streamlit's watcher
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = browser.new_page()
            tab.goto(f"http://127.0.0.1:{port}/history")
            expect(tab.get_by_role("heading", name="History", exact=True)).to_be_visible()
            assert inotify_watches(server_pid(port)) == 0
            browser.close()
    assert "Inotify" not in log_path.read_text()
