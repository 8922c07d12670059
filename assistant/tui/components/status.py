"""The status bar: model, index size, filters, the last answer's timings."""

from __future__ import annotations

from textual.widgets import Static


class StatusBar(Static):
    """One line of state, set by the app."""

    def set_state(self, *, model: str, index: str, filters: str, timings: str, bidi: str) -> None:
        parts = [model, index, f"bidi {bidi}"]
        if filters:
            parts.append(f"filters {filters}")
        if timings:
            parts.append(f"last {timings}")
        self.update(" · ".join(parts))
