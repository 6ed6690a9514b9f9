"""Reproducible benchmarks: slot engine, JSON API, bookings under load, feed and pages."""
