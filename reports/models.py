"""The unit summary's figures, counted ahead of time per unit and course (reports.unit_figures
refreshes them, reports.summary reads them). Nobody edits them: a refresh replaces them whole."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitFiguresRefresh(models.Model):
    """The one row saying when the figures were last counted; locked while they are counted again,
    so two refreshes never interleave."""

    refreshed_at = models.DateTimeField(_("figures counted at"), null=True, blank=True)
    seconds = models.FloatField(_("counting took (seconds)"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit figures refresh")
        verbose_name_plural = _("unit figures refreshes")

    def __str__(self):
        return str(self.refreshed_at)


class UnitLearners(models.Model):
    """The active learners directly in a unit (not those below it)."""

    unit = models.OneToOneField(
        "accounts.OrganisationUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    learners = models.PositiveIntegerField(_("learners"))

    class Meta:
        verbose_name = _("learners of a unit")
        verbose_name_plural = _("learners of units")

    def __str__(self):
        return f"{self.unit_id}: {self.learners}"


class UnitCourseAssignment(models.Model):
    """A course assigned to a unit (directly or above it): the earliest due date that covers it,
    and how many of its active learners hold a completion fulfilling that due date."""

    unit = models.ForeignKey(
        "accounts.OrganisationUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("course"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    due_on = models.DateField(_("due date"))
    fulfilled = models.PositiveIntegerField(_("learners who fulfilled it"))

    class Meta:
        verbose_name = _("assignment of a unit")
        verbose_name_plural = _("assignments of units")
        # One row per (course, unit) by construction (a refresh writes them whole); the index covers
        # the summary's read (courses chosen, every unit): an index-only scan.
        indexes = [models.Index(fields=["course", "unit", "due_on", "fulfilled"], name="reports_assignment_read")]

    def __str__(self):
        return f"{self.course_id} → {self.unit_id}"


class UnitCourseActivity(models.Model):
    """What happened in a unit's course in one day, month or year: enrolments started, completions
    and current certificates issued (each row counted, whoever it is; reports.unit_figures
    subtracts the repeats of a learner, see UnitCourseRepeat)."""

    class Span(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    # Counted from the records and written whole by each refresh: no constraint in the database
    # (a deferred check for each of a city's hundreds of thousands of rows made most of a refresh's
    # time); Django still deletes a unit's or a course's rows with it.
    unit = models.ForeignKey(
        "accounts.OrganisationUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    span = models.CharField(_("span"), max_length=5, choices=Span.choices)
    starts_on = models.DateField(_("starts on"))
    enrolled = models.PositiveIntegerField(_("enrolments started"), default=0)
    completed = models.PositiveIntegerField(_("completions"), default=0)
    certificates = models.PositiveIntegerField(_("certificates issued"), default=0)

    class Meta:
        verbose_name = _("activity of a unit's course")
        verbose_name_plural = _("activity of units' courses")
        # One row per (course, span, starts_on, unit) by construction (a refresh writes them whole);
        # the index covers the summary's read (courses chosen, a range of days, months or years,
        # summed per unit and course): an index-only scan, the counts read from the index.
        indexes = [
            models.Index(
                fields=["course", "span", "starts_on", "unit", "enrolled", "completed", "certificates"],
                name="reports_activity_read",
            )
        ]

    def __str__(self):
        return f"{self.course_id} {self.unit_id} {self.span} {self.starts_on}"


class UnitCourseRepeat(models.Model):
    """A learner's second (third…) enrolment, completion or certificate in the same course, with the
    day of their one before: a period holding both counts the learner once (renewals only, so few)."""

    class Figure(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        CERTIFICATES = "certificates", _("Certificates issued")

    # As UnitCourseActivity's: no constraint in the database.
    unit = models.ForeignKey(
        "accounts.OrganisationUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    figure = models.CharField(_("figure"), max_length=12, choices=Figure.choices)
    on = models.DateField(_("day"))
    previous_on = models.DateField(_("day of the one before"))
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("repeat in a unit's course")
        verbose_name_plural = _("repeats in units' courses")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "figure", "on", "previous_on", "unit"], name="reports_repeat_once"
            )
        ]

    def __str__(self):
        return f"{self.course_id} {self.unit_id} {self.figure} {self.on}"
