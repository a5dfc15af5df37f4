"""Property tests for what parses user input: quiz answers, listing filters, report filters and
the CSV unit import. Whatever arrives, the answer is a value or a clear error, never an exception.

Runs are bounded (a few dozen examples each, no deadline: the machine is shared) so the file takes
well under a minute per database. Examples share one test's database, as a user's requests would.
"""

import csv
import io
import unicodedata
import uuid

from django.core.paginator import Paginator
from django.http import QueryDict
from django.test import Client, RequestFactory

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import OrganisationUnit
from accounts.unit_import import MAX_DEPTH, UnitImportError, import_units
from cms.control_characters import drop_control_characters
from cms.listing import page_number
from cms.search import MAX_WORDS, search_words
from courses import services
from courses.models import QuizAttempt
from reports.viewsets import CompletionRecordsFilterSet, UnitSummaryFilterSet
from tests.accounts.factories import ManagerScopeFactory, UserFactory

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a browser could send: any character but lone surrogates (not encodable as UTF-8).
TYPED = st.characters(exclude_categories=("Cs",))
JUNK = st.one_of(
    st.text(TYPED, max_size=30),
    st.sampled_from(["", " ", "-1", "0", "1", "2", "99999999999999999999", "1e3", "1.5", "abc", '"', "%", "\x00"]),
    st.integers().map(str),
    st.just("x" * 10_000),
)


def choices_of(module):
    return {question.id: [choice.id for choice in question.value["choices"].bound_blocks] for question in module.quiz}


# --- Quiz answers ----------------------------------------------------------------------------


@pytest.fixture
def quiz_two(course):
    return course["quiz_two"].specific


def answer_forms(module):
    """{question id: [choice ids]} as a form might send it: real ids, ids of elsewhere and junk."""
    questions = choices_of(module)
    real_choices = [choice for choices in questions.values() for choice in choices]
    question_ids = st.one_of(st.sampled_from(list(questions)), st.text(TYPED, max_size=40), st.uuids().map(str))
    choice_ids = st.one_of(st.sampled_from(real_choices), st.text(TYPED, max_size=40), st.uuids().map(str))
    return st.dictionaries(question_ids, st.lists(choice_ids, max_size=4), max_size=4)


@BOUNDED
@given(data=st.data())
def test_quiz_answers_parse_to_the_quizs_own_choices_or_a_message(quiz_two, data):
    submitted = data.draw(answer_forms(quiz_two))
    questions = choices_of(quiz_two)

    try:
        answers = services.parse_answers(quiz_two, submitted)
    except services.CourseRuleError as error:
        assert str(error)
        return

    assert set(answers) == set(questions)
    for question in quiz_two.quiz:
        assert answers[question.id] and answers[question.id] <= set(questions[question.id])
        if question.block_type == "single_choice":
            assert len(answers[question.id]) == 1


@pytest.fixture
def learner_on_quiz_one(client, course):
    learner = UserFactory(full_name="Trần Thị Mai", unit=None)
    client.force_login(learner)
    client.post(course["course"].url + "enrol/")
    client.post(course["lesson"].url, {"mark_done": "1"})
    return client


@BOUNDED
@given(data=st.data())
def test_any_quiz_post_gets_a_page_and_never_more_attempts_than_allowed(learner_on_quiz_one, course, data):
    module = course["quiz_one"].specific
    form = {f"q-{question}": choices for question, choices in data.draw(answer_forms(module)).items()}
    form["token"] = data.draw(st.one_of(st.uuids().map(str), JUNK))
    form |= data.draw(st.dictionaries(st.text(TYPED, min_size=1, max_size=10), JUNK, max_size=2))

    response = learner_on_quiz_one.post(module.url, form)

    assert response.status_code < 500
    assert QuizAttempt.objects.filter(module=module).count() <= module.attempt_limit


# --- Listing filters -------------------------------------------------------------------------


def query_strings(names):
    """A query string with any of `names` (repeated or not) and made-up ones, junk values."""
    pairs = st.lists(st.tuples(st.one_of(st.sampled_from(names), st.text(TYPED, max_size=8)), JUNK), max_size=6)
    return pairs.map(lambda items: "&".join(f"{_quote(name)}={_quote(value)}" for name, value in items))


def _quote(text):
    from urllib.parse import quote

    return quote(text, safe="")


@pytest.fixture
def listings(site_tree):
    return {
        site_tree["articles"].url: ["tag", "area", "page"],
        site_tree["materials"].url: ["type", "audience", "language", "area", "page"],
        site_tree["help"].url: ["type", "ward"],
        site_tree["campaigns"].url: ["page"],
        "/search/": ["q", "page"],
    }


@BOUNDED
@given(data=st.data())
def test_listing_filters_answer_a_page_or_the_400_page(listings, data):
    client = Client(raise_request_exception=False)
    for url, names in listings.items():
        query = data.draw(query_strings(names))

        response = client.get(f"{url}?{query}")

        if "%00" in query:
            assert response.status_code == 400, query
        else:
            assert response.status_code == 200, (url, query)


@BOUNDED
@given(number=JUNK, count=st.integers(min_value=0, max_value=45))
def test_a_listings_page_number_is_always_a_real_page(number, count):
    paginator = Paginator(list(range(count)), 10)
    request = RequestFactory().get("/", {"page": number})

    page = page_number(request, paginator)

    assert 1 <= page.number <= paginator.num_pages


# --- Report filters --------------------------------------------------------------------------

REPORT_FIELDS = {
    CompletionRecordsFilterSet: [
        "unit",
        "course",
        "area",
        "status",
        "completed_from",
        "completed_to",
        "completed_after",
        "completed_before",
        "staff_category",
    ],
    UnitSummaryFilterSet: ["courses", "period_from", "period_to", "period_after", "period_before"],
}
DATES = st.one_of(st.dates().map(str), st.dates().map(lambda day: day.strftime("%d/%m/%Y")), JUNK)


@pytest.fixture
def manager_request(unit_tree):
    manager = ManagerScopeFactory(unit=unit_tree["HN-P-HK"]).user
    request = RequestFactory().get("/admin/reports/")
    request.user = manager
    return request


@BOUNDED
@given(data=st.data())
def test_report_filters_validate_or_reject_any_data(manager_request, unit_tree, course, data):
    unit_codes = [str(unit.pk) for unit in unit_tree.values()]
    for filterset_class, names in REPORT_FIELDS.items():
        values = st.one_of(JUNK, DATES, st.sampled_from(unit_codes + [str(course["course"].pk), "area-1"]))
        items = data.draw(st.lists(st.tuples(st.sampled_from(names + ["export", "x"]), values), max_size=8))
        query = QueryDict(mutable=True)
        for name, value in items:
            query.appendlist(name, value)

        filterset = filterset_class(query, queryset=None, request=manager_request)
        valid = filterset.is_valid()

        if valid:
            unit = filterset.form.cleaned_data.get("unit")
            # A unit outside the manager's scope is never a valid choice.
            assert unit is None or unit.path.startswith(unit_tree["HN-P-HK"].path)
        else:
            assert filterset.form.errors


@BOUNDED
@given(data=st.data())
def test_reports_and_their_exports_answer_any_filters(client, unit_tree, data):
    from tests.conftest import sign_in_past_second_factor

    manager = ManagerScopeFactory(unit=unit_tree["HN-P-HK"]).user
    sign_in_past_second_factor(client, manager)
    client.raise_request_exception = False
    for url, names in (
        ("/admin/reports/completion-records/", REPORT_FIELDS[CompletionRecordsFilterSet]),
        ("/admin/reports/unit-summary/", REPORT_FIELDS[UnitSummaryFilterSet]),
    ):
        query = data.draw(query_strings(names))
        export = data.draw(st.sampled_from(["", "&export=csv", "&export=xlsx"]))

        response = client.get(f"{url}?{query}{export}")

        assert response.status_code == (400 if "%00" in query else 200), (url, query)


# --- CSV unit import -------------------------------------------------------------------------

HEADER = "code,name,parent_code,type\r\n"
CODES = st.sampled_from(["HN", "HN-1", "HN-2", "HN-1-A", "X", ""])


def csv_text(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def assert_imported_or_refused(raw_bytes):
    before = list(OrganisationUnit.objects.order_by("path").values_list("code", "name", "path"))
    try:
        summary = import_units(raw_bytes)
    except UnitImportError as error:
        assert error.errors and all(isinstance(message, str) and message for message in error.errors)
        # All or nothing: a refused file changes nothing.
        assert list(OrganisationUnit.objects.order_by("path").values_list("code", "name", "path")) == before
        return
    assert summary.unchanged >= 0
    for code, name in OrganisationUnit.objects.values_list("code", "name"):
        assert code and name and "\x00" not in code + name


@BOUNDED
@given(raw_bytes=st.binary(max_size=300))
@example(raw_bytes=b"")
@example(raw_bytes=b"\xef\xbb\xbf")
@example(raw_bytes=HEADER.encode() + b"A,\x00,,unit\r\n")
@example(raw_bytes=HEADER.encode() + b'A,"' + b"x" * 140_000 + b'",,unit\r\n')
def test_any_bytes_import_or_give_errors(raw_bytes):
    assert_imported_or_refused(raw_bytes)


@BOUNDED
@given(
    rows=st.lists(
        st.lists(
            st.one_of(CODES, st.text(TYPED, max_size=12), st.sampled_from(["city", "ward", "unit", "x" * 300])),
            min_size=3,
            max_size=5,
        ),
        max_size=6,
    )
)
def test_any_csv_rows_import_or_give_errors(rows):
    assert_imported_or_refused((HEADER + csv_text(rows)).encode())


@pytest.mark.parametrize(("levels", "imported"), [(MAX_DEPTH, True), (MAX_DEPTH + 1, False)])
def test_a_tree_deeper_than_the_unit_tree_holds_is_refused(levels, imported):
    codes = [f"U{level}-{uuid.uuid4().hex[:4]}" for level in range(levels)]
    rows = [[code, f"Đơn vị {code}", parent, "unit"] for code, parent in zip(codes, [""] + codes[:-1], strict=True)]

    try:
        import_units((HEADER + csv_text(rows)).encode())
    except UnitImportError as error:
        assert not imported
        assert error.errors == [error.errors[0]] and str(MAX_DEPTH) in error.errors[0]
        assert not OrganisationUnit.objects.exists()
    else:
        assert imported
        assert OrganisationUnit.objects.count() == levels


# --- Typed text: control characters and search words ----------------------------------------


@BOUNDED
@given(text=st.text(max_size=200))
def test_typed_text_keeps_no_control_character_but_a_text_areas_tabs_and_line_breaks(text):
    single = drop_control_characters(text, multiline=False)
    multi = drop_control_characters(text, multiline=True)

    assert not any(unicodedata.category(character) == "Cc" for character in single)
    assert not any(unicodedata.category(character) == "Cc" and character not in "\t\n\r" for character in multi)
    # Nothing else is touched, and the rule is the same the second time.
    assert [character for character in text if unicodedata.category(character) != "Cc"] == [
        character for character in multi if unicodedata.category(character) != "Cc"
    ]
    assert drop_control_characters(single, multiline=False) == single


@BOUNDED
@given(text=st.text(max_size=300))
@example(text='zzzz"OR"bạo')
@example(text='a"')
def test_any_text_is_searched_as_words_on_this_database(site_tree, text):
    from wagtail.models import Page
    from wagtail.search.backends import get_search_backend

    from cms.models import ServiceProvider

    words = search_words(text)
    assert len(words) <= MAX_WORDS
    assert all(unicodedata.category(word[0])[0] in "LN" for word in words)
    assert all(unicodedata.category(character)[0] in "LNM" for word in words for character in word)

    list(Page.objects.live().search(text, operator="and")[:5])
    list(Page.objects.live().autocomplete(text)[:5])
    list(get_search_backend().search(text, ServiceProvider)[:5])
