"""``make bench``: how long the organisation takes to list and render, beside raw SQL floors.

Run it with ``python -m bench`` (``make bench``); see ``docs/benchmarks.md``.
"""
