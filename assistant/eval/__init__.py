"""Evaluation over question sets (dev.jsonl and SQuAD)."""
