"""Public participation: feedback and complaints from the public, without an
account (:mod:`junheng.participation.feedback` contains the rules that need no
store)."""
