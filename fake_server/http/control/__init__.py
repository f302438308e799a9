"""The control plane under /__fake__: admin routes, the inspector page, their auth."""
