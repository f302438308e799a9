"""Scenarios: YAML or JSON in, a validated ``Scenario`` out, and live worlds built from it."""
