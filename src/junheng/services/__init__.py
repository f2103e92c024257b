"""Business rules over the store: access, accounts, reporting and records.

Every function takes a SQLAlchemy session and commits nothing: the caller owns
the transaction, so a change, its review event and its audit record are
committed together or not at all.
"""
