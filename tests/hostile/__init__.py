"""Hostile-input suite: a deterministic corpus of hostile cases and a worker
that runs them in a child process (see ``tests/test_hostile.py``)."""
