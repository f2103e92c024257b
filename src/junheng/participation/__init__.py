"""Public participation: feedback and complaints from the public, without an
account (:mod:`junheng.participation.feedback` holds the rules that need no
store)."""
