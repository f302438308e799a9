"""``python -m fake_server``: the ``fake-server`` command, where no script is on the PATH."""

from fake_server.cli import run

if __name__ == "__main__":
    run()
