"""The archive's SQL storage: models, engine set-up, the Archive API and the store
modules that hold every SQL statement of the project (docs/architecture.md)."""
