"""Running the app under uvicorn: in a thread for tests (thread.py) or as ``fake-server
serve``'s process (process.py, its readiness.py and ready_file.py and, for that
process alone, the collector policy in collector.py); both configured by config.py
on a socket from sockets.py, with fake_server's protocol tweaks (one_write.py,
unparsable.py). waiting.py waits for a served fake_server to be healthy."""
