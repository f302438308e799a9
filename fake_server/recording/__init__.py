"""Recording a real service: the cassette format, the recording proxy and the
scenario inferred from a recording (``fake-server record``)."""
