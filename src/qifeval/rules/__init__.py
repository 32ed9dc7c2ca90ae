"""The rules bundled with qifeval, as data files."""
