"""Right-to-left display (bidi.py, layout.py), conversation follow-ups and filters, history, import hygiene."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.tui.display.bidi import display, is_rtl, reorder, reorder_enabled, shape, terminal_does_bidi, visual_line
from assistant.app.conversation import Conversation, parse_filter_date
from assistant.tui.commands import parse_command
from assistant.types import Filters
from assistant.errors import BadInput
from assistant.app.history import History
from assistant.tui.display.layout import lay_out, parse_markdown, selected_text
from assistant.tui.display.markdown import md_escape

TODAY = dt.date(2026, 11, 24)


def test_arabic_line_is_reversed_but_numbers_and_markers_keep_their_order() -> None:
    visual, index = reorder("قال بيسكوف 28 مايو [1]")
    # the first word is drawn rightmost, the marker leftmost, digits left to right
    assert visual.endswith("لاق")
    assert visual.startswith("[1]")
    assert "28" in visual and "82" not in visual
    assert sorted(index) == list(range(len("قال بيسكوف 28 مايو [1]")))


def test_brackets_are_mirrored_in_right_to_left_runs() -> None:
    visual, _ = reorder("قال (مهم) جدا")
    assert "(مهم)" in visual  # the logical "(" is drawn as ")" on the right of the reversed word
    assert visual == "ادج (مهم) لاق"


def test_latin_text_is_left_alone() -> None:
    assert visual_line("Peskov said 2021 [2]", shaped=False)[0] == "Peskov said 2021 [2]"


def test_iso_dates_keep_their_order_inside_arabic() -> None:
    visual, index = visual_line("نشر في 2021-05-28 صباحا", shaped=False)
    assert "2021-05-28" in visual
    assert sorted(index) == list(range(len("نشر في 2021-05-28 صباحا")))


def test_doc_ids_keep_their_order_after_arabic() -> None:
    """A details line "date · Arabic outlet · doc_id" must not split the id around its underscore."""
    line = "2021-05-28 · طيف بوست · 001_7c7fb83801401802 [394:608]"
    visual, index = visual_line(line, rtl=False, shaped=False)
    assert "001_7c7fb83801401802 [394:608]" in visual
    assert sorted(index) == list(range(len(line)))
    visual, _ = visual_line("المقال 001_7c7fb83801401802 هنا", shaped=False)
    assert "001_7c7fb83801401802" in visual


def test_shaping_joins_letters_and_maps_back() -> None:
    shaped, index = shape("قال لا")
    assert shaped != "قال لا"
    assert all("\ufe70" <= ch <= "\ufeff" or ch == " " for ch in shaped)  # presentation forms
    assert len(shaped) == len(index)
    assert "\ufefb" in shaped  # lam-alef ligature: two letters, one glyph
    assert index[-1] in (4, 5)


def test_bidi_override_controls_are_honoured_and_dropped() -> None:
    visual, _ = reorder("\u202eabc\u202c def")
    assert visual == "cba def"


def test_paragraph_direction() -> None:
    assert is_rtl("بيسكوف said")
    assert not is_rtl("Peskov قال")


def test_modes_and_terminal_detection() -> None:
    assert reorder_enabled("on", {"VTE_VERSION": "7600"})
    assert not reorder_enabled("off", {})
    assert not reorder_enabled("auto", {"VTE_VERSION": "7600"})
    assert reorder_enabled("auto", {"VTE_VERSION": "5200", "TERM": "xterm"})
    assert reorder_enabled("auto", {"TERM": "tmux-256color"})
    assert terminal_does_bidi({"KONSOLE_VERSION": "230800"})
    assert terminal_does_bidi({"TERM_PROGRAM": "Apple_Terminal"})


MD = """ما تقوله المقالات (اقتباس **حرفي**):

«قال المتحدث باسم الكرملين دميتري بيسكوف إن الحوار مع واشنطن ضروري لكنه صعب» [1]

- Peskov said talks are *needed* [2]
"""


def test_layout_right_aligns_arabic_and_wraps_in_logical_order() -> None:
    blocks = parse_markdown(MD)
    assert [b.prefix for b in blocks] == ["", "", "• "]
    lines = lay_out(blocks, 40, reorder=True)
    assert all(line.text.cell_len <= 40 for line in lines)
    heading, first, second, bullet = lines[0], lines[1], lines[2], lines[3]
    assert heading.text.plain.startswith(" ")  # right-aligned
    # the first wrapped line holds the *first* logical words ("قال" is drawn at its right end)
    assert display("«قال")[-4:] in first.text.plain[-5:]
    assert "[1]" in second.text.plain
    assert bullet.text.plain.startswith("• Peskov")
    # bold survives reordering: the bold cells are exactly the logical "حرفي"
    bold = "".join(seg.text for seg in heading.text.render(_console()) if seg.style and seg.style.bold)
    assert bold == display("حرفي")


def test_layout_without_reordering_keeps_logical_text() -> None:
    lines = lay_out(parse_markdown(MD), 40, reorder=False)
    assert lines[0].text.plain.startswith("ما تقوله")
    assert lines[1].text.plain.startswith("«قال")


def test_selection_copies_logical_order() -> None:
    blocks = parse_markdown(MD)
    lines = lay_out(blocks, 40, reorder=True)
    whole = selected_text(blocks, lines, (0, 1), (40, 2))
    assert whole == "«قال المتحدث باسم الكرملين دميتري بيسكوف إن الحوار مع واشنطن ضروري لكنه صعب» [1]"
    # selecting the drawn cells of one word gives that word, in logical order
    line = lines[1]
    word = display("قال")
    x = line.text.plain.index(word)
    assert selected_text(blocks, lines, (x, 1), (x + len(word), 1)) == "قال"


def test_markdown_in_quotes_is_escaped() -> None:
    text = md_escape("- a *b* [1] #x")
    blocks = parse_markdown(text)
    assert blocks[0].text.plain == "- a *b* [1] #x"


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(width=40, color_system=None)


# --- conversation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("followup", "expected"),
    [
        ("وفي نيسان 2021؟", "ماذا قال بيسكوف في نيسان 2021؟"),
        ("و في أبريل ٢٠٢١؟", "ماذا قال بيسكوف في أبريل ٢٠٢١؟"),
        ("and in April 2021?", "ماذا قال بيسكوف in April 2021؟"),
    ],
)
def test_date_only_followup_keeps_the_subject(followup: str, expected: str) -> None:
    conv = Conversation()
    conv.remember(conv.resolve("ماذا قال بيسكوف في أيار 2021؟", TODAY))
    resolved = conv.resolve(followup, TODAY)
    assert resolved.followup
    assert resolved.asked == expected


def test_followup_language_is_the_followups() -> None:
    conv = Conversation()
    conv.remember(conv.resolve("ماذا قال بيسكوف في أيار 2021؟", TODAY))
    assert conv.resolve("and in April 2021?", TODAY).language == "en"


def test_new_subject_is_not_a_followup() -> None:
    conv = Conversation()
    conv.remember(conv.resolve("What did Peskov say in May 2021?", TODAY))
    resolved = conv.resolve("What did Lavrov say in April 2021?", TODAY)
    assert not resolved.followup
    assert resolved.asked == "What did Lavrov say in April 2021?"
    assert not Conversation().resolve("and in April 2021?", TODAY).followup  # nothing to follow


def test_english_followup_of_english_question() -> None:
    conv = Conversation()
    conv.remember(conv.resolve("What did Peskov say in May 2021?", TODAY))
    assert conv.resolve("and in April 2021?", TODAY).asked == "What did Peskov say in April 2021?"


def test_filters_narrow_the_window() -> None:
    conv = Conversation()
    conv.since("2021-05")
    conv.until("2021")
    f = conv.filters
    assert (f.since, f.until) == (dt.date(2021, 5, 1), dt.date(2021, 12, 31))
    window = f.narrow(None)
    assert window is not None and (window.start, window.end) == (f.since, f.until)
    from assistant.types import DateWindow

    narrowed = f.narrow(DateWindow(dt.date(2021, 1, 1), dt.date(2021, 6, 30), "in 2021"))
    assert narrowed is not None and (narrowed.start, narrowed.end) == (dt.date(2021, 5, 1), dt.date(2021, 6, 30))
    assert Filters().narrow(None) is None
    conv.clear()
    assert conv.filters == Filters()


def test_bad_filter_date_and_unknown_command() -> None:
    with pytest.raises(BadInput, match="not a date"):
        parse_filter_date("May", end=False)
    with pytest.raises(BadInput, match="unknown command /frobnicate"):
        parse_command("/frobnicate now")
    assert parse_command("ماذا قال؟") is None
    cmd = parse_command("/since 2021-05")
    assert cmd is not None and (cmd.name, cmd.arg) == ("since", "2021-05")


# --- history ------------------------------------------------------------------


def test_history_stores_browses_and_searches(tmp_path: Path) -> None:
    history = History(tmp_path / "deep" / "history.sqlite3")
    assert history.recent() == []
    for q, a in [("ماذا قال بيسكوف؟", "قال بيسكوف إن"), ("What about wheat?", "The articles do not answer")]:
        history.add(q, {"question": q, "answer": a, "language": "ar", "abstained": False, "citations": []})
    assert [t.question for t in history.recent()] == ["What about wheat?", "ماذا قال بيسكوف؟"]
    found = history.search("بيسكوف")
    assert [t.question for t in found] == ["ماذا قال بيسكوف؟"]
    assert found[0].record["answer"] == "قال بيسكوف إن"
    assert history.search("wheat answer") and not history.search("wheat Peskov")
    # a second History on the same file sees the same rows (persists between runs)
    assert len(History(tmp_path / "deep" / "history.sqlite3").recent()) == 2


def test_history_unusable_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "history.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    from assistant.app.history import HistoryError

    with pytest.raises(HistoryError, match="unusable"):
        History(bad).recent()


# --- import hygiene -------------------------------------------------------------


def test_core_does_not_import_textual() -> None:
    """Everything outside assistant.tui works without the UI library."""
    core = [
        "assistant.cli.main", "assistant.app.api", "assistant.answer.pipeline", "assistant.app.session", "assistant.app.conversation",
        "assistant.app.history", "assistant.tui.display.layout", "assistant.tui.display.bidi", "assistant.cli.output", "assistant.eval.run",
        "assistant.retrieve.search", "assistant.index.build", "assistant.ingest.reader",
    ]
    code = "import sys\n" + "".join(f"import {m}\n" for m in core) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    # and the check can fail: the chat package does pull it in
    code = "import sys, assistant.tui.app; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
