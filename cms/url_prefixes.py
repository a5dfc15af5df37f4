"""The site's URL prefixes that neither the page cache nor search engines should treat as pages.

Private: a signed-in person's own pages; robots.txt asks crawlers to stay out.
Uncached: every answer there depends on who asks or changes state, so the anonymous page cache
never stores it. The private ones are among them; documents stay crawlable (public materials)
but are served fresh, and search is never cached (a faster answer would tell a visitor what
others searched for).
"""

PRIVATE_PREFIXES = (
    "/admin/",
    "/accounts/",
    "/my/",
)

# The probes answer from what they check alone: no site, no cache, no page (ops.health).
PROBE_PREFIXES = (
    "/healthz",
    "/livez",
)

UNCACHED_PREFIXES = (
    *PRIVATE_PREFIXES,
    *PROBE_PREFIXES,
    "/language/",
    "/materials/download/",
    "/documents/",
    "/search/",
)
