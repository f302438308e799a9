"""The provider API's handlers, one module per resource, and how answers are rendered."""
