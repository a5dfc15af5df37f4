"""50 learners finish a course through the HTTPS front, each sending the final quiz twice at the
same moment (a double click, two tabs) across both app servers: one completion and one
certificate each, serial numbers without a gap, and not one 5xx."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.topology.conftest import Browser, django_shell, hidden_value

LEARNERS = 50


def quiz_posts_by_app_server(topology, path):
    counts = {}
    for line in (topology.logs / "gbv-access.log").read_text().splitlines():
        if f'"POST {path} ' in line:
            upstream = re.search(r"upstream=(\S+)", line)[1]
            counts[upstream] = counts.get(upstream, 0) + 1
    return counts


def test_fifty_learners_double_submitting_the_final_quiz_get_one_certificate_each(topology):
    setup = django_shell(topology, f"learners_before_the_final_quiz('lop50', {LEARNERS})")
    path = setup["final_quiz"]

    def finish(email):
        browser = Browser(topology)
        signed_in = browser.sign_in(email, setup["password"])
        page = browser.get(path)
        form = {field: hidden_value(page.text, field) for field in ("csrfmiddlewaretoken", "token")}
        form |= setup["answers"]
        tabs, answers = [browser, browser.another_tab()], [None, None]
        barrier = threading.Barrier(2)

        def send(index):
            barrier.wait()
            answers[index] = tabs[index].post(path, form).status_code

        threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [signed_in.status_code, page.status_code, *answers]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(finish, setup["emails"]))

    assert all(answers == [302, 200, 200, 200] for answers in statuses), statuses
    written = django_shell(topology, f"outcome({setup['emails']!r})")
    assert written["attempts"] == dict.fromkeys(setup["emails"], 1)
    assert written["completions"] == dict.fromkeys(setup["emails"], 1)
    assert {email: len(certificates) for email, certificates in written["certificates"].items()} == dict.fromkeys(
        setup["emails"], 1
    )
    numbers = written["numbers_this_year"]
    assert numbers == list(range(1, len(numbers) + 1))
    # Both app servers took their share of the answers (nginx's round robin).
    served = quiz_posts_by_app_server(topology, path)
    assert sorted(served) == [f"127.0.0.1:{port}" for port in topology.ports.apps], served
    assert min(served.values()) >= LEARNERS * 2 * 0.3, served
