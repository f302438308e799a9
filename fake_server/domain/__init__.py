"""The domain: vector stores, files and batches on a clock.

Pure Python: nothing here imports Starlette, speaks HTTP or holds wire bytes,
and nothing here imports the other layers of fake_server.
"""
