"""Plain Flask routes (downloads, static geometry, health). Every module in this package
defines `register(server)`; `register_all` calls them from the app factory."""
import pkgutil
from importlib import import_module


def register_all(server) -> None:
    for m in pkgutil.iter_modules(__path__):
        if not m.name.startswith("_"):
            import_module(f"{__name__}.{m.name}").register(server)
