"""Locust users for bench/load.py: anonymous visitors and signed-in learners through the HTTPS front.

Reads what bench/load.py prepared (GBV_LOAD_DATA: a JSON file of page URLs, learner accounts, the
final quiz and its answers, the topology's certificate). Each request is named by its endpoint
class, so the table compares classes, not single URLs.
"""

import ipaddress
import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

DATA = json.loads(Path(os.environ["GBV_LOAD_DATA"]).read_text())
HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|token)" value="([^"]+)"')
THINK_TIME = between(1, 3)
# Every locust user comes from loopback, which the topology trusts as a proxy: each names an
# address of its own (TEST-NET), as officials on their own networks would reach nginx, so
# per-address rate limits count each user, not the whole load.
CLIENT_ADDRESSES = itertools.cycle(ipaddress.ip_network("198.18.0.0/15").hosts())


def arrive(user):
    user.client.verify = DATA["certificate"]
    user.client.headers["X-Forwarded-For"] = str(next(CLIENT_ADDRESSES))


class Visitor(HttpUser):
    """Someone reading the campaign: public pages, most of them served from the page cache."""

    wait_time = THINK_TIME

    def on_start(self):
        arrive(self)

    @task
    def read_a_page(self):
        self.client.get(random.choice(DATA["public_pages"]), name="anonymous page")  # noqa: S311


class Learner(HttpUser):
    """An official taking the course: module pages, now and then the final quiz."""

    wait_time = THINK_TIME

    def on_start(self):
        arrive(self)
        self.client.headers["Origin"] = self.host  # a browser's POST says where it comes from
        # Signed in already, as officials are (bench/load.py made the session): no password hashing here.
        self.client.cookies.set("sessionid", DATA["sessions"].pop(), domain="127.0.0.1", path="/")

    @task(5)
    def read_a_module(self):
        self.client.get(random.choice(DATA["modules"]), name="signed-in module page")  # noqa: S311

    @task(1)
    def submit_the_quiz(self):
        page = self.client.get(DATA["final_quiz"], name="signed-in module page")
        form = dict(HIDDEN.findall(page.text))
        if "token" not in form:
            return  # passed already: the page shows the result, no form to submit
        self.client.post(DATA["final_quiz"], {**form, **DATA["answers"]}, name="quiz submission")
