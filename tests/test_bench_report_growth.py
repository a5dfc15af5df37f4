"""bench.report_growth builds, with set-based SQL, the city bench.reports builds with the ORM: the
same rows per learner, consistent with each other, and the same city again when it grows."""

from collections import Counter

from django.db import connection
from django.db.models import F
from django.utils import timezone

import pytest

from accounts.models import OrganisationUnit, User
from certificates.models import Certificate, SerialCounter
from courses.models import Assignment, Completion, Enrolment, ModuleProgress

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench.report_growth builds on PostgreSQL only"),
]


@pytest.fixture
def report_growth(monkeypatch):
    from bench import report_growth

    # A small city: 3 wards up to 200 learners, 6 beyond (the bench: 29, then 290 from 1,000,000).
    monkeypatch.setattr(report_growth, "wards_for", lambda learners: 3 if learners <= 200 else 6)
    monkeypatch.setattr(report_growth, "LEARNERS_PER_STATEMENT", 150)
    return report_growth


def learners():
    return User.objects.filter(email__startswith="hv")


def test_each_learner_has_the_rows_of_bench_reports(report_growth):
    city = report_growth.City()
    city.build_courses()
    report_growth.grow(city, 200, timezone.now())

    assert learners().count() == 200
    assert OrganisationUnit.objects.count() == 1 + 3 * (1 + report_growth.UNITS_PER_WARD)
    assert Assignment.objects.count() == report_growth.COURSES * 1  # a third of 3 wards per course
    assert Enrolment.objects.count() == 600
    assert ModuleProgress.objects.count() == 2000
    assert Completion.objects.count() == Certificate.objects.count() == 200
    for user_id in learners().values_list("pk", flat=True)[:50]:
        enrolments = Enrolment.objects.filter(user_id=user_id)
        assert len({enrolment.course_id for enrolment in enrolments}) == 3
        assert sorted(enrolment.modules_done for enrolment in enrolments) == [2, 3, 5]
        completed = [enrolment for enrolment in enrolments if enrolment.completed_at]
        assert [enrolment.modules_done for enrolment in completed] == [5]
        assert completed[0].last_activity_at == completed[0].completed_at
    report_growth.check_consistent()
    # Serials gap-free in each year, the year's counter at its last number.
    for counter in SerialCounter.objects.all():
        numbers = sorted(Certificate.objects.filter(year=counter.year).values_list("number", flat=True))
        assert numbers == list(range(1, counter.last_number + 1))
    assert sum(counter.last_number for counter in SerialCounter.objects.all()) == 200


def test_a_grown_city_has_the_proportions_of_one_built_at_its_size(report_growth):
    city = report_growth.City()
    city.build_courses()
    now = timezone.now()
    report_growth.grow(city, 200, now)
    # As if the year had reached serial 999,900: the next ones have seven digits, as {number:06d} writes them.
    Certificate.objects.update(number=F("number") + 999_900)
    first_new = Certificate.objects.order_by("pk").last().pk + 1
    report_growth.grow(city, 480, now)

    new = Certificate.objects.filter(pk__gte=first_new)
    assert new.count() == 280
    assert {certificate.serial for certificate in new} == {
        f"{certificate.number:06d}/{certificate.year}/GCN" for certificate in new
    }
    assert min(certificate.number for certificate in new) > 999_999

    assert Enrolment.objects.count() == 3 * 480
    assert ModuleProgress.objects.count() == 10 * 480
    assert Certificate.objects.values("serial").distinct().count() == 480
    report_growth.check_consistent()
    # Twice the wards, each course assigned to a third of them, learners spread over every unit.
    assert OrganisationUnit.objects.filter(type="ward").count() == 6
    assert Assignment.objects.count() == report_growth.COURSES * 2
    per_unit = Counter(learners().values_list("unit_id", flat=True))
    assert len(per_unit) == 6 * report_growth.UNITS_PER_WARD
    assert set(per_unit.values()) == {480 // 24}
