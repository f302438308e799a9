"""Reading YAML with bounds, and values that remember where they stood."""
