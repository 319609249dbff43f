"""The ``mlfolio`` command: validate, new, diff, and their reporters. The only layer that prints."""
