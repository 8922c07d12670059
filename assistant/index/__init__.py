"""The on-disk index: building generations, the store, dense and BM25 sides, sentence vectors."""
