"""Tests of the Python SDK (sdk/python) against real servers."""
