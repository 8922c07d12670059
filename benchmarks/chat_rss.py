"""Peak memory of the chat with both models loaded: the real Textual app, run headless, asked one question.

    python benchmarks/chat_rss.py [--question Q] [--out FILE]

Starts ChatApp with App.run_test() (no terminal needed) on the seed index,
asks a question (which loads the embedder and the generator), waits for the
answer, and reports the process's peak RSS (target: <= 2.5 GB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import load_settings  # noqa: E402
from assistant.app.session import Session  # noqa: E402

QUESTION = "ماذا قال بيسكوف عن لقاء بوتين والأسد في أيار 2021؟"


async def _run(question: str, data_dir: Path) -> dict[str, float]:
    from textual.widgets import Input

    from assistant.tui.app import ChatApp

    settings = load_settings(data_dir=data_dir)
    app = ChatApp(Session(settings), bidi="off")
    started = time.perf_counter()
    async with app.run_test(size=(130, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        box = app.query_one("#question", Input)
        box.focus()
        box.value = question
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        answerer = app.session.answerer()
        loaded = answerer._generator is not None and answerer.search._embedder is not None
    return {"seconds": time.perf_counter() - started, "both_models_loaded": float(loaded)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "chat-rss.json")
    args = parser.parse_args()
    data_dir = ROOT / "bench-out" / "chat-data"  # keeps the user's chat history out of it
    result = asyncio.run(_run(args.question, data_dir))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "peak_rss_mb": round(peak_mb),
        "both_models_loaded": bool(result["both_models_loaded"]),
        "seconds": round(result["seconds"], 1),
        "target_mb": 2560,
        "met": peak_mb <= 2560,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
