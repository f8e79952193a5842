"""Patient-facing document texts (information sheets and consent texts)."""
