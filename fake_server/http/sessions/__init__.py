"""Per-session runtime: the session, the registry, settings, journal and client report."""
