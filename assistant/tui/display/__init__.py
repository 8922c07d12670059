"""Laying out Markdown and right-to-left text for the chat's widgets."""
