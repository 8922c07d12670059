"""The Textual chat. The only package that imports textual; the core never imports it."""
