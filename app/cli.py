"""``credscope``: a thin command line over the Python API (every command calls one function)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="credscope",
    help="Analyse the policy literature on microcredentials: refresh, query, review.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


COMMAND_MODULES = ("corpus", "findings", "themes", "review", "operations")


def _register() -> None:
    """Each module of ``app.commands`` adds its commands; absent ones are simply skipped."""
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"app.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.commands.{name}":
                raise
            continue
        module.register(app)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
