"""Not collected with the suite (the file name does not start with test_): run on its own by
tests/deploy/test_scripts.py::test_the_suite_ignores_the_users_database_and_redis, in a child
pytest whose environment carries a user's DATABASE_URL and REDIS_URL."""
from __future__ import annotations

import os


def test_env_probe():
    """The app under test must use its own database, whatever DATABASE_URL the user has set."""
    assert os.environ.get("WB_ENV_PROBE") == "1", "run by test_the_suite_ignores_the_users_database_and_redis"
    from dashboard import config
    from dashboard.maturity import repository as repo

    assert "DATABASE_URL" not in os.environ or "user-data" not in os.environ["DATABASE_URL"]
    assert "REDIS_URL" not in os.environ
    repo.create_assessment("Probe")  # the app under test's default database
    print("PROBE-URL", config.database_url())
