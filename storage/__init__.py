"""The archive's SQL storage: models, engine set-up and the Archive API."""
