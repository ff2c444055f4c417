"""Prometheus metrics shared by the API (which serves `/metrics`) and the runner (which records runs)."""
