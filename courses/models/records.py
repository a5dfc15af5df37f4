import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cms.models import ProgrammeArea
from courses.models.pages import CoursePage, ModulePage


class Enrolment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNMENT = "assignment", _("Assigned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.SELF)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    # Set on the old enrolment when the learner renews the course: reports read the latest only.
    superseded = models.BooleanField(_("superseded by a renewal"), default=False)
    # Kept in the transaction that records progress, so reports read them from this row instead of
    # counting progress rows: the live modules of the course this enrolment has done, and when the
    # learner last did something in it (enrolled, finished a module, completed).
    modules_done = models.PositiveSmallIntegerField(_("modules done"), default=0)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        # One open enrolment per course; a learner whose completion has lapsed enrols again (renewal).
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], condition=Q(completed_at__isnull=True), name="courses_enrolment_open_once"
            )
        ]
        indexes = [
            models.Index(fields=["course", "completed_at"]),
            # The reports find a learner's latest enrolment in a course (renewals make several).
            models.Index(fields=["user", "course"]),
            # Covers the completion records' counts of the latest enrolments by course and unit, so
            # they are read from the index alone (see reports.rows.CompletionRows.sizes).
            models.Index(fields=["course", "superseded", "user", "completed_at"], name="courses_enrolment_counts"),
        ]

    def __str__(self):
        return f"{self.user} – {self.course}"


class Assignment(models.Model):
    """A course a manager expects of everyone in a unit and the units below it, by a due date."""

    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "accounts.OrganisationUnit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="assignments"
    )
    due_on = models.DateField(_("due date"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["course", "unit"], name="courses_assignment_once_per_unit")]
        indexes = [models.Index(fields=["due_on"])]

    def __str__(self):
        return f"{self.course} → {self.unit}"


class AssignmentReminder(models.Model):
    """One e-mail about an assignment to one learner: "due soon" or "overdue", never twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due in a week")
        OVERDUE = "overdue", _("Overdue")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="reminders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment reminder")
        verbose_name_plural = _("assignment reminders")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user", "kind"], name="courses_assignment_reminder_once")
        ]

    def __str__(self):
        return f"{self.assignment} – {self.user} – {self.kind}"


class ModuleProgress(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="progress"
    )
    module = models.ForeignKey(ModulePage, verbose_name=_("module"), on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(_("completed"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        constraints = [models.UniqueConstraint(fields=["enrolment", "module"], name="courses_moduleprogress_unique")]

    def __str__(self):
        return f"{self.enrolment} – {self.module}"


class QuizAttempt(models.Model):
    """One submitted quiz: the answers as given (question id → choice ids) and the grade."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attempts"
    )
    module = models.ForeignKey(ModulePage, verbose_name=_("module"), on_delete=models.CASCADE, related_name="attempts")
    token = models.UUIDField(
        _("form token"), help_text=_("One per quiz form shown: a resubmitted form is not a new attempt.")
    )
    answers = models.JSONField(_("answers"))
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module", "token"], name="courses_quizattempt_once")
        ]

    def __str__(self):
        return f"{self.enrolment} – {self.module}: {self.score}%"


class Completion(models.Model):
    """A finished course, written once, holding what a certificate needs as it was that day."""

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="completion"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="completions"
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course page"), on_delete=models.PROTECT, related_name="completions"
    )
    full_name = models.CharField(_("full name"), max_length=150)
    unit_code = models.CharField(_("unit code"), max_length=50, blank=True)
    unit_name = models.CharField(_("unit"), max_length=255, blank=True)
    course_title = models.CharField(_("course"), max_length=255)
    area = models.PositiveSmallIntegerField(_("programme area"), choices=ProgrammeArea.choices)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        indexes = [models.Index(fields=["completed_on"])]

    def __str__(self):
        return f"{self.full_name} – {self.course_title}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A completion is a record: it cannot be changed."))
        super().save(*args, **kwargs)

    @property
    def lapses_on(self):
        """The day this completion lapses (the course's validity after completion; its certificate's
        expiry date), or None. It still counts that day: the certificate is valid through it
        (Certificate.state_of) and the course may be taken again from the next (services.may_retake)."""
        months = self.course.certificate_validity_months
        return add_months(self.completed_on, months) if months else None

    @staticmethod
    def valid_on(course, day):
        """A Q: the completions of `course` that have not lapsed by `day` (lapses_on is `day` or later,
        or never), whenever they were made. The database cannot add months as add_months does, so
        the earliest completion date that is still valid on `day` is worked out here."""
        valid = Q(course_id=course.pk)
        months = course.certificate_validity_months
        if months:
            valid &= Q(completed_on__gte=first_completion_valid_on(day, months))
        return valid


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or that month's last day (31 January + 1 month = end of February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def first_completion_valid_on(day: datetime.date, months: int) -> datetime.date:
    """The earliest completion date whose validity of `months` reaches `day` (add_months of it is
    `day` or later). add_months never goes back as its day goes forward, so this is a boundary."""
    earliest = add_months(day, -months)
    while add_months(earliest - datetime.timedelta(days=1), months) >= day:
        earliest -= datetime.timedelta(days=1)
    while add_months(earliest, months) < day:
        earliest += datetime.timedelta(days=1)
    return earliest
