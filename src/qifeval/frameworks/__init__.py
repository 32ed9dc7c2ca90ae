"""The frameworks bundled with qifeval, as TOML data files.

Load them with :func:`qifeval.load_framework`.
"""
