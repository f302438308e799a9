"""Provider handlers: read parameters, call one account operation, render the result."""
