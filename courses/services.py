"""The rules of taking a course, in one place for the web, the admin, commands and tasks.

Exactly once is the database's job: a Completion is unique per enrolment and an attempt per
(enrolment, module, form token); the code that records them locks the enrolment row first
(select_for_update), so two requests racing each other get one completion and a clean answer.
The same lock makes the quiz's limits hold: attempts are counted in the transaction that records
one, after the lock, so parallel submissions cannot slip past them (on SQLite writers take turns).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, F, Min, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cms.page_cache import remember
from courses.assignments import is_assigned
from courses.models import (
    Completion,
    Enrolment,
    ModulePage,
    ModuleProgress,
    QuizAttempt,
    live_modules,
    live_modules_by_course,
)
from courses.signals import course_completed


class CourseRuleError(Exception):
    """What the learner tried is not allowed; the message says why, in their language."""

    status_code = 400


class QuizClosed(CourseRuleError):
    """The learner may not submit this quiz now: every attempt used, or too many in the past hour."""


class TooManyAttempts(QuizClosed):
    status_code = 429


# Attempts at a quiz are limited per learner in any rolling window of this length.
ATTEMPT_WINDOW = datetime.timedelta(hours=1)


@dataclass
class Grade:
    score: int
    passed: bool
    correct_questions: set = field(default_factory=set)


def latest_enrolment(user, course):
    return Enrolment.objects.filter(user=user, course=course).order_by("-started_at", "-pk").first()


def enrol(user, course, source=None):
    """The learner's open enrolment, or a new one; after a completion has lapsed, a new one (renewal).

    The source is "assignment" when one of the learner's units was assigned the course.
    """
    latest = latest_enrolment(user, course)
    if latest is not None and not may_retake(latest):
        return latest
    if source is None:
        source = Enrolment.Source.ASSIGNMENT if is_assigned(user, course) else Enrolment.Source.SELF
    with transaction.atomic():
        enrolment, created = Enrolment.objects.get_or_create(
            user=user, course=course, completed_at=None, defaults={"source": source}
        )
        if created:
            # Enrolling is the first activity; started_at is the moment the row was saved.
            Enrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=F("started_at"))
            enrolment.last_activity_at = enrolment.started_at
        if created and latest is not None:
            Enrolment.objects.filter(user=user, course=course).exclude(pk=enrolment.pk).update(superseded=True)
    return enrolment


def may_retake(enrolment):
    """A completed enrolment whose validity has run out: the course may be taken again."""
    if enrolment is None or enrolment.completed_at is None:
        return False
    completion = Completion.objects.filter(enrolment=enrolment).select_related("course").first()
    return completion is not None and completion.lapses_on is not None and completion.lapses_on < timezone.localdate()


@dataclass
class Standing:
    """Where a learner stands in a course: their enrolment, the course's live modules, those done."""

    course: object
    enrolment: Enrolment | None
    modules: list
    done_ids: set
    attempts: "AttemptCounts | None" = None  # at the module asked for (standing_in's attempts_at)

    @property
    def locked_ids(self):
        return locked_module_ids(self.course, self.modules, self.done_ids) if self.enrolment else set()

    @property
    def completed(self):
        """The learner's enrolment in the course is complete: the finish line."""
        return self.enrolment is not None and self.enrolment.completed_at is not None

    @property
    def progress(self):
        return progress_of(self.modules, self.done_ids, self.completed)

    @property
    def all_done(self):
        return bool(self.modules) and all(module.pk in self.done_ids for module in self.modules)


def standing_in(user, course, *, for_update=False, attempts_at=None):
    """The learner's standing: their latest enrolment and the modules it has done in one query, or
    with `for_update` in two, the enrolment row locked first; the course's modules are remembered
    (course_modules).

    Under the lock the modules done are read after it is taken: in the locking query itself,
    PostgreSQL would read them as they were before a concurrent submission that held the lock.
    `attempts_at` (a module; not with `for_update`) counts the learner's attempts at its quiz in the
    same query as the enrolment, for a page that shows the quiz form or why it is closed.
    """
    enrolment, now = None, timezone.now()
    if user.is_authenticated:
        enrolments = Enrolment.objects.filter(user=user, course=course).order_by("-started_at", "-pk")
        if for_update:
            enrolments = enrolments.select_for_update()
        else:
            enrolments = with_done_module_ids(enrolments)
            if attempts_at is not None and attempts_at.has_quiz:
                enrolments = with_attempt_counts(enrolments, attempts_at, now)
        enrolment = enrolments.first()
    if enrolment is not None and hasattr(enrolment, "done_module_ids"):
        done_ids = {int(module_id) for module_id in (enrolment.done_module_ids or "").split(",") if module_id}
    else:
        done_ids = completed_module_ids(enrolment)
    standing = Standing(course, enrolment, course_modules(course), done_ids)
    if enrolment is not None:
        enrolment.user, enrolment.course = user, course  # both in hand already: no queries to fetch them
        if hasattr(enrolment, "attempts_in_window"):
            standing.attempts = AttemptCounts(
                module_id=attempts_at.pk,
                now=now,
                in_enrolment=enrolment.attempts_in_enrolment,
                same_form=0,
                in_window=enrolment.attempts_in_window,
                first_in_window=enrolment.first_attempt_in_window,
            )
    return standing


def course_modules(course):
    """The course's live modules in tree order (live_modules), remembered until content changes:
    publishing, moving or deleting any page drops them with the page cache (cms.page_cache)."""
    return remember(None, f"course-modules:{course.pk}", lambda: list(course.modules()))


def completed_module_ids(enrolment):
    return set(enrolment.progress.values_list("module_id", flat=True)) if enrolment else set()


def with_done_module_ids(enrolments):
    """The enrolments, each with the ids of the modules it has done as one "1,5,8" string."""
    done = (
        ModuleProgress.objects.filter(enrolment=OuterRef("pk"))
        .order_by()
        .values("enrolment")
        .annotate(ids=StringAgg(Cast("module_id", CharField()), delimiter=Value(",")))
        .values("ids")
    )
    return enrolments.annotate(done_module_ids=Subquery(done))


def locked_module_ids(course, modules, done_ids):
    """Modules the learner cannot open yet: in an ordered course, all after the first not done."""
    if not course.modules_in_order:
        return set()
    locked, blocked = set(), False
    for module in modules:
        if blocked:
            locked.add(module.pk)
        elif module.pk not in done_ids:
            blocked = True
    return locked


def check_can_take(standing, module):
    if standing.enrolment is None:
        raise CourseRuleError(_("Enrol in the course before taking its modules."))
    if module.pk in standing.locked_ids:
        raise CourseRuleError(_("Finish the previous modules first: this course is taken in order."))


def parse_answers(module, submitted):
    """{question id: set of choice ids} from the form, refusing anything the quiz does not have."""
    questions = {question.id: question for question in module.quiz}
    answers = {}
    for question_id, choice_ids in submitted.items():
        question = questions.get(question_id)
        if question is None:
            raise CourseRuleError(_("The answers do not match this quiz. Reload the page and try again."))
        valid_choices = {choice.id for choice in question.value["choices"].bound_blocks}
        if not set(choice_ids) <= valid_choices:
            raise CourseRuleError(_("The answers do not match this quiz. Reload the page and try again."))
        if question.block_type == "single_choice" and len(choice_ids) > 1:
            raise CourseRuleError(
                _("Choose only one answer for “%(question)s”.") % {"question": question.value["question"]}
            )
        answers[question_id] = set(choice_ids)
    missing = [q.value["question"] for q_id, q in questions.items() if not answers.get(q_id)]
    if missing:
        raise CourseRuleError(_("Answer every question: “%(question)s” has no answer.") % {"question": missing[0]})
    return answers


def correct_answers(module):
    """{question id: set of its correct choice ids}."""
    return {
        question.id: {choice.id for choice in question.value["choices"].bound_blocks if choice.value["correct"]}
        for question in module.quiz
    }


def grade(module, answers, pass_mark):
    """Score in percent: a question counts when exactly its correct choices are chosen."""
    correct = {
        question_id for question_id, expected in correct_answers(module).items() if answers.get(question_id) == expected
    }
    total = len(module.quiz)
    score = round(100 * len(correct) / total) if total else 100
    return Grade(score=score, passed=score >= pass_mark, correct_questions=correct)


@dataclass
class Submission:
    attempt: QuizAttempt
    grade: Grade
    created: bool  # False when the same form was sent again: the first attempt stands
    standing: Standing  # after this submission
    attempts_used: int  # the enrolment's attempts at the module, this one included


@dataclass
class AttemptCounts:
    module_id: int
    now: datetime.datetime  # when they were counted
    in_enrolment: int  # this enrolment's attempts at the module, against its attempt_limit
    same_form: int  # attempts sent with this form token: a resubmitted form
    in_window: int  # the learner's attempts at the module in the past hour, whatever the enrolment
    first_in_window: datetime.datetime | None


def count_attempts(enrolment, module, now, token=None):
    """The learner's attempts at the module, counted every way the limits need, in one query."""
    in_window = Q(created_at__gt=now - ATTEMPT_WINDOW)
    counts = QuizAttempt.objects.filter(enrolment__user_id=enrolment.user_id, module=module).aggregate(
        in_enrolment=Count("pk", filter=Q(enrolment=enrolment)),
        same_form=Count("pk", filter=Q(enrolment=enrolment, token=token)),
        in_window=Count("pk", filter=in_window),
        first_in_window=Min("created_at", filter=in_window),
    )
    return AttemptCounts(module_id=module.pk, now=now, **counts)


def with_attempt_counts(enrolments, module, now):
    """The enrolments, each with the counts of count_attempts (but the form's) as subqueries."""

    def one_value(attempts, **aggregate):  # one group: the module's, as the attempts are filtered on it
        return Subquery(attempts.order_by().values("module").annotate(**aggregate).values(*aggregate))

    attempts = QuizAttempt.objects.filter(module=module)
    in_window = attempts.filter(enrolment__user=OuterRef("user"), created_at__gt=now - ATTEMPT_WINDOW)
    return enrolments.annotate(
        attempts_in_enrolment=Coalesce(one_value(attempts.filter(enrolment=OuterRef("pk")), n=Count("pk")), 0),
        attempts_in_window=Coalesce(one_value(in_window, n=Count("pk")), 0),
        first_attempt_in_window=one_value(in_window, first=Min("created_at")),
    )


def check_attempt_allowed(enrolment, module, counts):
    """Refuse an attempt past the module's attempt_limit or its attempts per hour."""
    if module.attempt_limit is not None and counts.in_enrolment >= module.attempt_limit:
        raise QuizClosed(_("You have used all %(limit)d attempts at this quiz.") % {"limit": module.attempt_limit})
    limit = module.hourly_attempt_limit
    if counts.in_window >= limit:
        again = timezone.localtime(next_attempt_at(enrolment, module, counts, limit))
        raise TooManyAttempts(
            ngettext(
                "You have taken this quiz %(count)d time in the past hour. You may try again at %(time)s.",
                "You have taken this quiz %(count)d times in the past hour. You may try again at %(time)s.",
                counts.in_window,
            )
            % {"count": counts.in_window, "time": f"{again:%H:%M}"}
        )


def next_attempt_at(enrolment, module, counts, limit):
    """When the learner's attempts in the past hour fall under the limit, rounded up to the minute
    (so a learner who comes back at the time shown is let in)."""
    if counts.in_window == limit:
        oldest = counts.first_in_window  # as usual: the oldest attempt leaves the window first
    else:  # more than the limit (it was lowered since): wait for the attempt that brings it under
        in_window = QuizAttempt.objects.filter(
            enrolment__user_id=enrolment.user_id, module=module, created_at__gt=counts.now - ATTEMPT_WINDOW
        )
        oldest = in_window.order_by("created_at").values_list("created_at", flat=True)[counts.in_window - limit]
    at = oldest + ATTEMPT_WINDOW
    whole_minute = at.replace(second=0, microsecond=0)
    return whole_minute if whole_minute == at else whole_minute + datetime.timedelta(minutes=1)


def quiz_closed_because(standing, module):
    """Why the learner may not submit the module's quiz now (a message to show instead of the form),
    or None. Counts the attempts (one query) unless standing_in counted them for this module."""
    if (
        standing.enrolment is None
        or module.pk in standing.done_ids
        or module.pk in standing.locked_ids
        or not module.has_quiz
    ):
        return None
    counts = standing.attempts
    if counts is None or counts.module_id != module.pk:
        counts = count_attempts(standing.enrolment, module, timezone.now())
    try:
        check_attempt_allowed(standing.enrolment, module, counts)
    except QuizClosed as closed:
        return str(closed)
    return None


@transaction.atomic
def submit_quiz(user, module, course, submitted, token):
    """Record one attempt (once per form token) and, when it passes, the module and maybe the course."""
    standing = standing_in(user, course, for_update=True)
    check_can_take(standing, module)
    if not module.has_quiz:
        raise CourseRuleError(_("This module has no quiz: mark it as done when you have read it."))
    counts = count_attempts(standing.enrolment, module, timezone.now(), token)  # under the enrolment's lock
    if counts.same_form:
        existing = QuizAttempt.objects.get(enrolment=standing.enrolment, module=module, token=token)
        answers = {question_id: set(choices) for question_id, choices in existing.answers.items()}
        return Submission(existing, grade(module, answers, course.pass_mark), False, standing, counts.in_enrolment)
    check_attempt_allowed(standing.enrolment, module, counts)
    answers = parse_answers(module, submitted)
    result = grade(module, answers, course.pass_mark)
    attempt = QuizAttempt.objects.create(
        enrolment=standing.enrolment,
        module=module,
        token=token,
        score=result.score,
        passed=result.passed,
        answers={question_id: sorted(choices) for question_id, choices in answers.items()},
    )
    if result.passed:
        record_module_done(standing, module, score=result.score)
    return Submission(attempt, result, True, standing, counts.in_enrolment + 1)


@transaction.atomic
def mark_module_done(user, module, course):
    standing = standing_in(user, course, for_update=True)
    check_can_take(standing, module)
    if module.has_quiz:
        raise CourseRuleError(_("This module is complete when you pass its quiz."))
    record_module_done(standing, module)
    return standing


def record_module_done(standing, module, score=None):
    """Within the caller's transaction, holding the enrolment's lock (so `done_ids` is the truth).

    The enrolment's figures (courses.figures) move with the progress row, on the enrolment's own
    row: one more module done when the module is one of the course's live modules."""
    if module.pk not in standing.done_ids:
        progress = ModuleProgress.objects.create(enrolment=standing.enrolment, module=module, score=score)
        standing.done_ids.add(module.pk)
        counts = any(live.pk == module.pk for live in standing.modules)
        Enrolment.objects.filter(pk=standing.enrolment.pk).update(
            modules_done=F("modules_done") + int(counts), last_activity_at=progress.completed_at
        )
        standing.enrolment.modules_done += int(counts)
        standing.enrolment.last_activity_at = progress.completed_at
    complete_course_if_done(standing)


def complete_course_if_done(standing):
    enrolment, course = standing.enrolment, standing.course
    if enrolment.completed_at is not None or not standing.all_done:
        return None
    scores = list(enrolment.progress.filter(score__isnull=False).values_list("score", flat=True))
    score = round(sum(scores) / len(scores)) if scores else None
    user, now = enrolment.user, timezone.now()
    try:
        with transaction.atomic():
            completion = Completion.objects.create(
                enrolment=enrolment,
                user=user,
                course=course,
                full_name=user.full_name,
                unit_code=user.unit.code if user.unit else "",
                unit_name=user.unit.name if user.unit else "",
                course_title=course.title,
                area=course.area,
                hours=course.hours,
                score=score,
                completed_on=timezone.localdate(now),
            )
    except IntegrityError:
        return None  # recorded already (the enrolment lock makes this a safety net)
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=now, score=score, last_activity_at=now)
    enrolment.completed_at, enrolment.score, enrolment.last_activity_at = now, score, now
    transaction.on_commit(lambda: course_completed.send(sender=Completion, completion=completion))
    return completion


@dataclass
class CourseProgress:
    percent: int
    next_module: ModulePage | None


def learner_progress(user, courses):
    """{course id: CourseProgress} for each of these courses the learner is enrolled in, in two queries.

    Progress is that of the latest enrolment (a renewal starts again), as progress_of counts it.
    """
    courses = list(courses)
    if not courses:
        return {}
    done_by_course, latest_enrolment_of, completed = defaultdict(set), {}, {}
    rows = Enrolment.objects.filter(user=user, course__in=courses).order_by("started_at", "pk")
    for course_id, enrolment_id, completed_at, module_id in rows.values_list(
        "course_id", "pk", "completed_at", "progress__module_id"
    ):
        if latest_enrolment_of.get(course_id) != enrolment_id:  # a renewal: count the latest enrolment only
            latest_enrolment_of[course_id] = enrolment_id
            done_by_course[course_id] = set()  # an entry for every enrolment, even with nothing done yet
        completed[course_id] = completed_at is not None
        if module_id is not None:
            done_by_course[course_id].add(module_id)
    modules_by_course = live_modules_by_course(courses)
    return {
        course_id: progress_of(modules_by_course[course_id], done, completed[course_id])
        for course_id, done in done_by_course.items()
    }


def progress_of(modules, done_ids, completed=False):
    """How far through these (live, ordered) modules the learner is, and where to continue."""
    finished = sum(1 for module in modules if module.pk in done_ids)
    return CourseProgress(
        percent=progress_percent(finished, len(modules), completed),
        next_module=next((module for module in modules if module.pk not in done_ids), None),
    )


def progress_percent(modules_done, module_count, completed):
    """A learner's progress in a course, in whole percent: the one formula of the learner's pages and
    the completion records. A completed enrolment is 100 (a module published since does not undo a
    completion); otherwise the share of the course's live modules done, rounded."""
    if completed:
        return 100
    return round(100 * modules_done / module_count) if module_count else 0


# Quiz feedback ---------------------------------------------------------------------------------


def answers_revealed(module, passed, attempts_used):
    """Whether the learner may now see which choices were right, and why: after a pass, or once the
    module's last allowed attempt is used. Before that, naming them would hand out the answers for
    the next attempt; a quiz without an attempt limit reveals them only when passed."""
    if passed:
        return True
    return module.attempt_limit is not None and attempts_used >= module.attempt_limit


@dataclass
class ChoiceFeedback:
    id: str
    text: str
    chosen: bool
    correct: bool | None  # None while the answers are not revealed


@dataclass
class QuestionFeedback:
    id: str
    kind: str
    text: str
    right: bool
    choices: list
    explanation: str = ""  # rich text; only when the answers are revealed

    @property
    def correct_choices(self):
        return [choice for choice in self.choices if choice.correct]


@dataclass
class QuizFeedback:
    revealed: bool
    questions: list

    @property
    def right_count(self):
        return sum(1 for question in self.questions if question.right)

    @property
    def chosen_ids(self):
        """Every choice the learner ticked: kept ticked when the form comes back after a failed attempt."""
        return {choice.id for question in self.questions for choice in question.choices if choice.chosen}

    def by_question(self):
        return {question.id: question for question in self.questions}


def quiz_feedback(module, attempt, grade_of_attempt, attempts_used):
    """Per question of the module's quiz: the learner's choices, whether the question was right and,
    when answers_revealed, the right choices and the explanation (the template names the right choice
    before the explanation, so it never depends on the editor's wording)."""
    revealed = answers_revealed(module, grade_of_attempt.passed, attempts_used)
    answers = {question_id: set(choices) for question_id, choices in attempt.answers.items()}
    questions = []
    for question in module.quiz:
        chosen = answers.get(question.id, set())
        choices = [
            ChoiceFeedback(
                id=choice.id,
                text=choice.value["text"],
                chosen=choice.id in chosen,
                correct=bool(choice.value["correct"]) if revealed else None,
            )
            for choice in question.value["choices"].bound_blocks
        ]
        questions.append(
            QuestionFeedback(
                id=question.id,
                kind=question.block_type,
                text=question.value["question"],
                right=question.id in grade_of_attempt.correct_questions,
                choices=choices,
                explanation=question.value["explanation"] if revealed else "",
            )
        )
    return QuizFeedback(revealed=revealed, questions=questions)


def feedback_on(submission, module):
    """The feedback to show after this submission."""
    return quiz_feedback(module, submission.attempt, submission.grade, submission.attempts_used)


# What a course asks and gives, before enrolling -----------------------------------------------


@dataclass
class CourseFacts:
    module_count: int
    quiz_count: int
    attempt_limits: set  # the quiz modules' attempt limits; None for a quiz without one

    @property
    def unlimited_attempts(self):
        return self.attempt_limits <= {None}

    @property
    def fewest_attempts(self):
        """The strictest limit of the course's quizzes, or None when none has one."""
        limits = [limit for limit in self.attempt_limits if limit is not None]
        return min(limits) if limits else None

    @property
    def attempts_vary(self):
        return len(self.attempt_limits) > 1


def course_facts(courses):
    """{course id: CourseFacts} for these courses, from their live modules, in one query."""
    courses = list(courses)
    facts = {course.pk: CourseFacts(0, 0, set()) for course in courses}
    course_by_path = {course.path: course.pk for course in courses}
    modules = live_modules(courses).defer(None) if courses else []  # the quiz is needed: is there one?
    for module in modules:
        course_facts_of = facts[course_by_path[module.path[: -ModulePage.steplen]]]
        course_facts_of.module_count += 1
        if module.has_quiz:
            course_facts_of.quiz_count += 1
            course_facts_of.attempt_limits.add(module.attempt_limit)
    return facts
