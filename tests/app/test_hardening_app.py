"""Issue 15, the app as a server: uploads read no server file, show no server path,
fail fast on bombs, and live in a per-session folder that is removed."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time

from tests.app.test_app import app_module, start, upload
from tests.conftest import SCENARIOS
from tests.test_hardening import BILLION_LAUGHS

SERVER_FILE = "/etc/passwd"  # a server file an upload must never read
SERVER_TEXT = "root:"  # its first line starts so on every Linux system


def _errors(at) -> list[str]:
    """The sidebar's error, or else the page's."""
    return [e.value for e in at.sidebar.error] or [e.value for e in at.main.error]


def test_upload_cannot_read_a_server_file_through_a_job_trace():
    text = (SCENARIOS / "east_west_jobs.yaml").read_text()
    text = text.replace("  hours: 720", f"  trace: ../../../../../..{SERVER_FILE}\n  hours: 720")
    at = upload(start(), "jobs.yaml", text.encode())
    at.switch_page("views/jobs.py").run()
    assert not at.exception, at.exception
    (message,) = _errors(at)
    assert "field 'jobs.trace'" in message and "self-contained" in message
    assert SERVER_TEXT not in message and SERVER_FILE not in message
    assert tempfile.gettempdir() not in message  # no server path, only the upload's name
    assert "jobs.yaml" in message


def test_bomb_upload_fails_fast():
    at = start()
    began = time.perf_counter()
    at = upload(at, "bomb.yaml", (BILLION_LAUGHS + "name: *i\n").encode())
    seconds = time.perf_counter() - began
    (message,) = _errors(at)
    assert "yaml_nodes" in message and "bomb.yaml" in message
    assert seconds < 2.0 * 2  # two app runs (toggle, upload); each well under the 2 s


def test_upload_with_deep_nesting_or_an_impossible_date_shows_one_line():
    minimal = (SCENARIOS / "minimal.yaml").read_text()
    for name, text in (
        ("deep.yaml", "name: " + "[" * 30_000 + "]" * 30_000),
        ("date.yaml", minimal.replace("start: 2025-01-01", "start: 2025-02-30")),
    ):
        at = upload(start(), name, text.encode())
        assert not at.exception, at.exception
        (message,) = _errors(at)
        assert message.count(name) == 1 and tempfile.gettempdir() not in message


def test_uploads_live_in_a_session_folder_removed_with_the_session():
    at = upload(start(), "mine.yaml", (SCENARIOS / "minimal.yaml").read_bytes())
    holder = at.session_state["_upload_folder"]
    folder = holder.path
    assert folder.name.startswith(f"suanli-upload-{os.getpid()}-")
    assert [p.name for p in folder.glob("*/*")] == ["mine.yaml"]
    del holder, at
    gc.collect()  # the session's state is dropped: its folder goes with it
    assert not folder.exists()


def test_stale_upload_folders_of_dead_servers_are_removed(tmp_path):
    state = app_module("state")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)  # a process that has exited
    stale = tmp_path / f"suanli-upload-{dead_pid}-abc"
    live = tmp_path / f"suanli-upload-{os.getpid()}-def"
    old = tmp_path / "suanli-upload-k2j3h4"  # older format, no pid, two days old
    for folder in (stale, live, old):
        (folder / "x").mkdir(parents=True)
    os.utime(old, (time.time() - 2 * 86_400,) * 2)
    removed = state.remove_stale_uploads(str(tmp_path))
    assert sorted(removed) == sorted([stale, old])
    assert live.exists() and not stale.exists() and not old.exists()


def test_sweeps_page_lists_only_stores_under_the_results_folder(tmp_path, monkeypatch):
    results = tmp_path / "results"
    for store in (results / "a.zarr", results / "deep" / "b.zarr", tmp_path / "outside.zarr"):
        store.mkdir(parents=True)
    monkeypatch.setenv("SUANLI_RESULTS", str(results))
    at = start()
    at.switch_page("views/sweeps.py").run()
    assert not at.exception, at.exception
    # no text box for a path: only the two stores under results/ can be chosen
    assert not at.text_input
    options = at.selectbox(key="sweep_store").options
    assert len(options) == 2 and all(("outside" not in o) for o in options)
    assert {o.split("/")[-1] for o in options} == {"a.zarr", "b.zarr"}
