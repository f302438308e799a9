"""HTTP handlers: parse the request, call the store, render the result."""
