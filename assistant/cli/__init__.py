"""The `assistant` command (click); the only package besides tui that prints for people."""
