"""Maturity Model for Wellbeing Policy Making: model data, rules, persistence and export.

Public entry points for the app factory:
- `dashboard.maturity.db.migrate()`: bring the assessments database to the latest schema.
- `dashboard.maturity.register_routes(server)`: optional CSV/JSON download URLs.
"""
from __future__ import annotations


def register_routes(server) -> None:
    """Register `/maturity/export/<facilitator_token>.<csv|json>` on the Flask server."""
    from dashboard.maturity.export import register_routes as _register

    _register(server)
