"""The operational store: relational models, the database connection and the
Alembic migrations that create and upgrade its tables."""
