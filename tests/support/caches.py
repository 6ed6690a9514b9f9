"""Emptying what the site caches: the shared cache, and the windows a process keeps in front
of it (availability.selectors)."""

from django.core.cache import cache

from availability.selectors import forget_recent_windows


def clear_caches() -> None:
    cache.clear()
    forget_recent_windows()
