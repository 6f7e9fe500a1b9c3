"""The exercise grader: runs learner code in a sandbox and compares outputs. Imports nothing from Django,
so it can run on a machine that has only the grader."""
