"""The exercise grader: runs learner code in a sandbox and compares outputs. Imports nothing from Django,
so it can run on a machine that has only the grader.

    from grader.bundles import load_bundle
    from grader.run import grade
    from grader.sandbox import SandboxConfig

    bundle = load_bundle("fixtures/exercises/vector-add")
    bundle.public_view().to_dict()          # what a learner may see
    grade(bundle, code).to_dict()           # verdicts, time, memory, score (JSON-serialisable)
"""
