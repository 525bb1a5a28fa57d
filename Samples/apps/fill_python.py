"""Fill memcached the way a Django site and a plain pymemcache service do (Samples/make-apps.sh).

Django 5.2 with its PyMemcacheCache backend (pymemcache HashClient: rendezvous hashing over the
servers): cache-backed sessions, template fragments, per-page cache keys and plain cache.set() values.
A plain pymemcache HashClient service next to it: JSON strings (flags 0) and incr counters (flags 2).
Deterministic (seeded) so the sample is the same each time.

usage: python fill_python.py HOST:PORT HOST:PORT HOST:PORT
"""
import json
import random
import sys

import django
from django.conf import settings

servers = sys.argv[1:]
settings.configure(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": servers}},
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    SECRET_KEY="sample-only",
    INSTALLED_APPS=["django.contrib.sessions"],
    USE_TZ=True,
)
django.setup()

from django.contrib.sessions.backends.cache import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.cache.utils import make_template_fragment_key  # noqa: E402
from pymemcache.client.hash import HashClient  # noqa: E402

rng = random.Random(17)

# Sessions: a logged-in user's session dict, pickled by Django (flags 1).
for i in range(120):
    s = SessionStore()
    s["_auth_user_id"] = str(1000 + i)
    s["cart"] = [rng.randrange(1, 500) for _ in range(rng.randrange(0, 6))]
    s["locale"] = rng.choice(["en-us", "ko-kr", "de-de"])
    s.save()

# Template fragments: the sidebar per category, and one large product grid per page.
for c in range(30):
    cache.set(make_template_fragment_key("sidebar", [c]), "<ul>" + "<li>item</li>" * rng.randrange(20, 60) + "</ul>", 600)
for page in range(12):
    cache.set(make_template_fragment_key("product_grid", [page]), "<div class=grid>" + "<div>p</div>" * 3000 + "</div>", 600)

# Plain cache values: product dicts and a few lists.
for i in range(200):
    cache.set("product:%d" % i, {"id": i, "name": "Product %d" % i, "price": rng.randrange(100, 99999) / 100.0, "tags": ["a", "b"]}, 3600)

# A plain pymemcache service: JSON documents stored as strings (flags 0) and counters (flags 2).
client = HashClient([tuple(s.rsplit(":", 1)) for s in servers])
for i in range(150):
    doc = {"user": i, "plan": rng.choice(["free", "pro"]), "features": ["x"] * rng.randrange(1, 8)}
    client.set("api:user:%d" % i, json.dumps(doc).encode(), expire=0)
for name in ["signups", "logins", "errors", "checkouts"]:
    client.set("counter:%s" % name, b"0")
    for _ in range(rng.randrange(5, 50)):
        client.incr("counter:%s" % name, 1)
# Traffic: product pages read the grid fragments and products.
for _ in range(200):
    cache.get(make_template_fragment_key("product_grid", [rng.randrange(12)]))
    cache.get("product:%d" % rng.randrange(200))
print("python: done")
