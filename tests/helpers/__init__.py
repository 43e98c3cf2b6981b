"""Shared test helpers, imported as ``from helpers import tinycm`` (pytest puts tests/ on the
import path through tests/conftest.py; subprocesses get it from ``tinycm.env_with_tests``)."""
