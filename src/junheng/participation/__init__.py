"""Public participation: satisfaction surveys (社会认可度) of part 4, and
feedback and complaints from the public without an account.

The pure parts live here: questionnaire sets as data
(:mod:`~junheng.participation.questionnaire`), the sample design of a county
round (:mod:`~junheng.participation.design`), the satisfaction rates
(:mod:`~junheng.participation.rates`) and the feedback rules that need no store
(:mod:`~junheng.participation.feedback`). Storage, links and answers are in
:mod:`junheng.services.surveys` and :mod:`junheng.services.feedback`.
"""
