"""A throwaway test database for the in-process benchmarks (SQLite, or DATABASE_URL's server)."""

from contextlib import contextmanager


@contextmanager
def throwaway_database():
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(databases, verbosity=0)
