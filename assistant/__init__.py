"""Offline question answering over a folder of Arabic news articles.

The core (ingest, index, search, answer) is importable without the terminal UI
and without heavy model libraries; those load lazily inside functions.
"""

__version__ = "0.1.0"
