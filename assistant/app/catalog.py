"""What the index holds, read without loading any model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.index import store
from assistant.index.copies import Copies
from assistant.index.manifest import read_manifest


def list_documents(index_dir: Path) -> list[dict[str, Any]]:
    """Metadata of every indexed article, with its chunk count and the other copies of its story, sorted by doc_id."""
    gen = store.current_generation(index_dir)
    manifest = read_manifest(gen)
    copies = Copies.of(store.load_copies(gen))
    counts = {k: v.chunks for k, v in manifest.documents.items()}
    out = []
    for row in store.read_jsonl(gen / "documents.jsonl"):
        doc = store.document_from_row(row)
        meta = doc.meta()
        out.append(
            {
                "doc_id": meta["doc_id"],
                "path": meta["path"],
                "title": meta["title"],
                "date": meta["date"],
                "date_source": meta["date_source"],
                "outlet": meta["outlet"],
                "chars": meta["chars"],
                "chunks": counts.get(doc.doc_id, 0),
                "copies": copies.others(doc.doc_id),
            }
        )
    return sorted(out, key=lambda d: d["doc_id"])
