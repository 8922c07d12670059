"""Files to Documents: reading, metadata, boilerplate, chunking."""
