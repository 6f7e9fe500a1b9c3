"""The study-tracking domain: curriculum, learners' enrolments and progress, plans, reading, deadlines."""
