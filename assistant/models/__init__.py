"""The local models: fetching from PyPI, the embedder (sentence-transformers / OpenVINO), the GGUF generator."""
