"""An enrolment's figures, kept on its row so that reports read a learner's progress from one row:
`modules_done` (the live modules of its course done in it) and `last_activity_at` (the latest of
enrolling, finishing a module and completing the course).

courses.services keeps them in the transaction that records progress, with an F() update of the
enrolment's own row. When the set of live modules of a course changes (a module published,
unpublished, moved or deleted), `course_modules_changed` recomputes them for the course's
enrolments in one UPDATE, in the editor's transaction. `figures_from_records` is the one
definition of both from the records: the migration that fills them, that UPDATE and the tests
use it.
"""

from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.db.models.signals import post_delete

from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from courses.models import Enrolment, ModulePage


def figures_from_records(enrolment_model=Enrolment):
    """{field: expression} computing each figure of an enrolment row from its progress rows, its
    course's pages and its completion. A module counts when it is live and a child of the course:
    the definition of courses.models.live_modules, here in SQL. `enrolment_model` may be a
    migration's historical model."""
    progress = enrolment_model._meta.get_field("progress").related_model.objects.filter(enrolment=OuterRef("pk"))
    live_done = progress.filter(
        module__live=True,
        module__depth=F("enrolment__course__depth") + 1,
        module__path__startswith=F("enrolment__course__path"),
    )
    # Greatest() is NULL on SQLite when any argument is: every argument falls back to started_at.
    return {
        "modules_done": Coalesce(_one_value(live_done, Count("pk")), 0),
        "last_activity_at": Greatest(
            "started_at",
            Coalesce(_one_value(progress, Max("completed_at")), "started_at"),
            Coalesce("completed_at", "started_at"),
        ),
    }


def _one_value(rows, aggregate):
    """The aggregate of `rows` (all of one enrolment) as a scalar subquery."""
    return Subquery(rows.order_by().values("enrolment").annotate(value=aggregate).values("value"))


def recompute_figures(enrolments):
    """Set the figures of these enrolments from their records, in one UPDATE; returns the rows."""
    return enrolments.update(**figures_from_records(enrolments.model))


@transaction.atomic
def recompute_course_figures(course_ids):
    """Recompute the figures of every enrolment in these courses, in the caller's transaction.

    The enrolment rows are locked first, as a learner's progress locks its own: a learner who was
    recording progress has committed, so the UPDATE reads it (PostgreSQL re-reads a locked row, not
    the progress rows its subqueries count), and a learner who comes next reads the new modules.
    """
    enrolments = Enrolment.objects.filter(course_id__in=course_ids)
    list(enrolments.order_by("pk").select_for_update().values_list("pk", flat=True))
    return recompute_figures(enrolments)


def course_modules_changed(sender, instance, **kwargs):
    """A module was published, unpublished or deleted: its course's figures again. The course is
    the page above the module, found by the module's own path (a deleted module has no parent)."""
    course_ids = Page.objects.filter(path=instance.path[: -ModulePage.steplen]).values_list("pk", flat=True)
    recompute_course_figures(list(course_ids))


def module_moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    """A module moved to another course: both courses' figures again (a reorder changes nothing)."""
    if parent_page_before.pk != parent_page_after.pk:
        recompute_course_figures([parent_page_before.pk, parent_page_after.pk])


def connect():
    """Called by CoursesConfig.ready(). A copied module needs nothing: a copy has no progress yet
    (a live copy sends page_published all the same)."""
    page_published.connect(course_modules_changed, sender=ModulePage, dispatch_uid="courses.figures.published")
    page_unpublished.connect(course_modules_changed, sender=ModulePage, dispatch_uid="courses.figures.unpublished")
    post_delete.connect(course_modules_changed, sender=ModulePage, dispatch_uid="courses.figures.deleted")
    post_page_move.connect(module_moved, sender=ModulePage, dispatch_uid="courses.figures.moved")
