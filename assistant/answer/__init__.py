"""From passages to a verified answer: evidence, the relevance gate, generation, verification, composition."""
