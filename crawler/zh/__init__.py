"""Rules for the metadata and body text of Chinese news pages (pure functions)."""
