"""Test guard for `assistant` commands run by tests not marked `models` (see tests/conftest.py).

Python imports this at start-up when tests/no_models is on PYTHONPATH. Loading a real model
(the embedder, or a GGUF generator) then ends the process at once with exit code 97 and one
line on stderr, so an unmarked test that reaches a model fails instead of silently being slow.
"""

import os
import sys


def _refuse(what: str):  # type: ignore[no-untyped-def]
    def stop(*args, **kwargs):  # type: ignore[no-untyped-def]
        sys.stderr.write(f"error: test guard: a test not marked `models` loaded the {what}\n")
        sys.stderr.flush()
        os._exit(97)

    return stop


try:
    import assistant.models.embed as _embed
    import assistant.models.generate as _generate
except Exception:  # noqa: BLE001 - the package is broken: let the command itself say so
    pass
else:
    _embed.load_embedder = _refuse("embedder")
    _generate.Generator.__init__ = _refuse("generator")
