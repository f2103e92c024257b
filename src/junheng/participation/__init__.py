"""Public participation: satisfaction surveys (社会认可度) of part 4.

The pure parts live here: questionnaire sets as data
(:mod:`~junheng.participation.questionnaire`), the sample design of a county
round (:mod:`~junheng.participation.design`) and the satisfaction rates
(:mod:`~junheng.participation.rates`). Storage, links and answers are in
:mod:`junheng.services.surveys`.
"""
