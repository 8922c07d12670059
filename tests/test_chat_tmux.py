"""Smoke test: the real `assistant chat` in a real terminal (tmux), real models, real seeds."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.tui.display.bidi import display

pytestmark = [
    pytest.mark.models,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _tmux(sock: str, *args: str) -> str:
    out = subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=30)
    return out.stdout


def _wait_for(sock: str, needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux(sock, "capture-pane", "-p", "-t", "chat")
        if needle in screen:
            return screen
        time.sleep(0.5)
    raise AssertionError(f"{needle!r} did not appear within {timeout} s; screen was:\n{screen}")


def test_chat_in_tmux_answers_readably_and_exits_cleanly(seed_index: Path, tmp_path: Path) -> None:
    sock = f"assistant-test-{os.getpid()}"
    env = {
        "ASSISTANT_DATA_DIR": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TERM": "xterm-256color",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (
        f"env -u COLUMNS -u LINES {exports} {shlex.quote(sys.executable)} -m assistant chat --bidi on --index-dir {shlex.quote(str(seed_index))};"
        " echo CHAT-EXIT:$?; sleep 60"
    )
    _tmux(sock, "new-session", "-d", "-s", "chat", "-x", "130", "-y", "40", command)
    _tmux(sock, "resize-window", "-t", "chat", "-x", "130", "-y", "40")
    try:
        _wait_for(sock, "5 articles, ", timeout=240)
        _tmux(sock, "send-keys", "-t", "chat", "-l", "ماذا قال بيسكوف في أيار 2021؟")
        _tmux(sock, "send-keys", "-t", "chat", "Enter")
        _wait_for(sock, "[1]", timeout=180)  # the sources panel fills when the answer is complete
        time.sleep(1)
        screen = _tmux(sock, "capture-pane", "-p", "-t", "chat")
        # Arabic is drawn shaped and in visual order, never in raw logical order
        assert display("بيسكوف") in screen
        assert "بيسكوف" not in screen
        assert display("ماذا قال بيسكوف في أيار 2021؟") in screen  # the question, readable
        assert "[1]" in screen and "Sources" in screen
        assert "2021-05" in screen  # dates keep their digit order
        _tmux(sock, "send-keys", "-t", "chat", "C-q")
        after = _wait_for(sock, "CHAT-EXIT:0", timeout=60)
        assert "Conversation" not in after  # left the alternate screen: the terminal is back
    finally:
        _tmux(sock, "kill-server")


def test_closing_the_terminal_under_make_ends_the_chat(seed_index: Path, tmp_path: Path) -> None:
    """`make run` then closing the terminal window: no hang-up signal reaches the chat under make, and it
    went on reading the dead terminal at full CPU; it must notice and quit."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    sock = f"assistant-hup-{os.getpid()}"
    makefile = tmp_path / "Makefile"
    pythonpath = shlex.quote(str(Path(__file__).resolve().parents[1]))
    makefile.write_text(
        "run:\n\tenv -u COLUMNS -u LINES ASSISTANT_DATA_DIR=" + shlex.quote(str(tmp_path)) + " HF_HUB_OFFLINE=1"
        f" TERM=xterm-256color PYTHONPATH={pythonpath} {shlex.quote(sys.executable)} -m assistant chat"
        f" --index-dir {shlex.quote(str(seed_index))}\n",
        encoding="utf-8",
    )
    _tmux(sock, "new-session", "-d", "-s", "chat", "-x", "130", "-y", "40", f"make -f {shlex.quote(str(makefile))} run")
    try:
        _wait_for(sock, "5 articles, ", timeout=240)
        found = subprocess.run(["pgrep", "-f", f"assistant chat --index-dir {seed_index}"], capture_output=True, text=True)
        pids = [int(p) for p in found.stdout.split()]
        assert pids, "the chat process was not found"
    finally:
        _tmux(sock, "kill-server")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.5)
    alive = [p for p in pids if Path(f"/proc/{p}").exists()]
    for p in alive:
        os.kill(p, 9)
    assert not alive, "the chat outlived its terminal"
