"""Blog feeds without Django: the guarded HTTP client, fetching, parsing, discovery, politeness and OPML.

Nothing here imports Django, so every piece is testable (and benchmarkable) on its own; the services in
tracker/services/feeds.py pass the settings in and write the results to the database.
"""
