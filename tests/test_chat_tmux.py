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
