"""Text handling shared by every stage: Arabic normalisation, dates, sentence splitting, names and terms."""
