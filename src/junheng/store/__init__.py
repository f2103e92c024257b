"""The operational store: relational models, the database connection and the
Alembic migrations that create and upgrade its tables."""

# Importing the store installs the check that runs before every flush.
from junheng.store import guard as guard
