"""Diagnosis and planning: least-cost adjustment plans, teacher rotation plans
and strong–weak school pairing.

Every planner returns a :class:`~junheng.planning.result.PlanResult`, one
shape that the command line, the Excel writer, the web pages and the saved
scenarios share. Plans never change stored data.
"""
