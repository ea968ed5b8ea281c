"""Errors whose message is meant for the person using the app (a bad name, an invalid file).

Unlike `etl.errors.InputError` (a publisher file not in the expected layout, for maintainers),
these are shown as they are, and are not logged as faults."""


class UserInputError(ValueError):
    """Something the user typed or uploaded cannot be accepted; the message says what and why."""
