"""The contract: the schemas responses and requests are checked against, per dialect."""
