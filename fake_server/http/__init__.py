"""The HTTP layer: the request pipeline, provider handlers, the control plane, sessions."""
