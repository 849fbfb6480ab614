"""The warehouse: a downstream consumer of the feed with a PostgreSQL store of its own."""
