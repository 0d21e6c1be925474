"""``python -m graphkit``: the same CLI as the ``graphkit`` command."""

from .cli import cli

if __name__ == "__main__":
    cli(prog_name="graphkit")
