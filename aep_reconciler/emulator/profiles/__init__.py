"""The profile store of the embedded platform and what reads it: seeding, audiences, the
export engine (DuckDB), Catalog batches and the Data Access API."""
