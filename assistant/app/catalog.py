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


def index_status(index_dir: Path) -> dict[str, Any]:
    """What the live index holds and how far its embedding is, read without loading any model.

    ``embedding`` gives the passages still to embed, the batches a running (or killed) run has
    finished since, and -- from those batches' times -- the rate and the time left; ``writing``
    is the process holding the index's writer lock, if one does.
    """
    import time

    from assistant.index.embedding_cache import FOLDER
    from assistant.locks import holder

    gen = store.current_generation(index_dir)
    manifest = read_manifest(gen)
    docs = [store.document_from_row(r) for r in store.read_jsonl(gen / "documents.jsonl")]
    copies = store.load_copies(gen)
    batches = sorted((index_dir / FOLDER).glob("batch-*.npz"), key=lambda p: p.stat().st_mtime) if (index_dir / FOLDER).is_dir() else []
    status: dict[str, Any] = {
        "index_dir": str(index_dir),
        "generation": gen.name,
        "created": manifest.created,
        "articles": len(docs),
        "passages": manifest.counts.chunks,
        "embedder": manifest.config.embedder.model_dump(exclude={"fingerprint"}) if manifest.config.embedder else None,
        "dated": sum(1 for d in docs if d.date is not None),
        "fetched_only": sum(1 for d in docs if d.date is None and d.fetched is not None),
        "copies": {"articles": sum(len(g) for g in copies), "stories": len(copies)},
        "dumps": [{"path": d.get("path"), "articles": d.get("articles"), "fields": d.get("fields")} for d in manifest.dumps],
        "writing": holder(index_dir / ".lock") or None,
        "embedding": None,
    }
    if manifest.pending:
        from assistant.index.embedding_cache import EMBED_BATCH

        done = min(len(batches) * EMBED_BATCH, manifest.pending)
        rate = None
        if len(batches) >= 2:
            span = batches[-1].stat().st_mtime - batches[0].stat().st_mtime
            rate = (len(batches) - 1) * EMBED_BATCH / span if span > 0 else None
        left = manifest.pending - done
        status["embedding"] = {
            "pending": manifest.pending,
            "done_since": done,
            "left": left,
            "passages_per_s": round(rate, 2) if rate else None,
            "eta_s": round(left / rate) if rate else None,
            "last_batch_age_s": round(time.time() - batches[-1].stat().st_mtime) if batches else None,
        }
    return status
