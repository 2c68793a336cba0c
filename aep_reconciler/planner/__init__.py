"""Desired state + live state → Plan, pure: datasets, jobs, safety rules, diffing, adoption."""

from __future__ import annotations

from aep_reconciler.planner._make import make_plan

__all__ = ["make_plan"]
