"""Every URL pattern the resolver knows, flattened, so that tests can walk them all.

The crawler (no input gives a 5xx) and the scope matrix (who reaches which staff URL) both start
from here, so a URL added later is walked without anyone listing it.
"""

import re
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver

# "<int:pk>" in a path() route, or "(?P<key>…)" / "(…)" in a re_path() one.
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?P<body>(?:[^()]|\([^()]*\))*)\)")


@dataclass(frozen=True)
class Route:
    pattern: str  # the prefixes' and the pattern's text joined, as the resolver holds them
    name: str | None  # namespaced, "assignments:edit"
    view: str  # dotted path of the view, "certificates.views.certificate_pdf"

    @property
    def is_regex(self):
        return "^" in self.pattern or "(" in self.pattern

    def fill(self, value_for):
        """The URL with each parameter replaced by value_for(name, converter); None for an unnamed group.

        The value is put in as given (no quoting), so tests can send raw hostile path segments.
        """
        if not self.is_regex:
            path = ROUTE_PARAMETER.sub(lambda m: str(value_for(m["name"], m["converter"] or "str")), self.pattern)
            return "/" + path
        # re_path(): drop anchors, fill groups, unescape what remains; a path() inside a re_path()
        # prefix (Wagtail's API) keeps its "<int:pk>" parameters.
        text = self.pattern.replace("^", "").replace("$", "")
        text = REGEX_GROUP.sub(lambda m: str(value_for(m["name"], "regex")), text)
        text = ROUTE_PARAMETER.sub(lambda m: str(value_for(m["name"], m["converter"] or "str")), text)
        return "/" + text.replace("\\", "")


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(pattern=prefix + str(pattern.pattern), name=name, view=pattern.lookup_str)


def all_routes():
    """Every route of the project's URLconf, in resolver order."""
    return list(_walk(get_resolver().url_patterns))


def staff_routes():
    """Routes that only staff may use: the Wagtail admin (our reports and viewsets live there)."""
    return [route for route in all_routes() if route.pattern.startswith("admin/")]
