"""Spiders: navigation only (which page next); parsing lives in :mod:`crawler.parsers`.

``spider_class(kind)`` finds the spider for a source kind: the module named in
``SPIDER_MODULES`` must define a :class:`~crawler.spiders.base.BaseSourceSpider`
subclass whose ``kind`` equals the source kind.
"""

from __future__ import annotations

import importlib
import inspect

from langnghe.errors import UserError

#: source kind -> module holding its spider.
SPIDER_MODULES: dict[str, str] = {
    "rss": "crawler.spiders.rss",
    "article": "crawler.spiders.article",
    "xenforo": "crawler.spiders.xenforo",
    "sitemap": "crawler.spiders.sitemap",
    "facebook_graph": "crawler.spiders.facebook",
    "youtube": "crawler.spiders.youtube",
}
#: Kinds that are not crawled (``import`` sources are read by ``langnghe import``).
NOT_CRAWLED = frozenset({"import"})


def spider_class(kind: str):
    """The spider class for ``kind``; :class:`UserError` if there is none."""
    from crawler.spiders.base import BaseSourceSpider

    module_name = SPIDER_MODULES.get(kind)
    if module_name is None:
        raise UserError(f"sources of kind {kind!r} are not crawled by `langnghe crawl`. "
                        "Use `langnghe import` for files, or fix the kind in the sources file.")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise UserError(f"this installation has no spider for sources of kind {kind!r}. "
                            "Disable those sources (enabled = false) or update Lắng Nghe.") from exc
        raise
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if issubclass(obj, BaseSourceSpider) and obj is not BaseSourceSpider and getattr(obj, "kind", "") == kind:
            return obj
    raise UserError(f"module {module_name} defines no spider for kind {kind!r}. Update Lắng Nghe.")
