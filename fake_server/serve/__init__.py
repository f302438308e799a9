"""Running the app under uvicorn: in a thread, as a process, with fake_server's protocol tweaks."""
