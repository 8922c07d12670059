"""From a question to passages: the parsed Query and hybrid, date-aware search."""
