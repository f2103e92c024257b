"""Governance: the audit trail of every change to the store."""
