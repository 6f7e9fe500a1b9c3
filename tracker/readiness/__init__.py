"""Interview readiness per career direction: a pure score (score.py) with no database and no clock."""
