"""The store tests use the database fixtures of store.dbfixtures, which the
top-level conftest.py registers for every test folder."""
