from collections import defaultdict
from http import HTTPMethod

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length, Substr
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock
from cms.models import BasePage, ProgrammeArea, SectionPage
from courses.blocks import QuizBlock


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    OFFICIALS = "officials", _("Officials, civil servants and staff")


# The view functions that answer each course page type, by page class: courses/views.py fills it
# (see ViewServedPage.page_view), and CoursesConfig.ready() imports that module before any request.
PAGE_VIEWS = {}


class ViewServedPage(RoutablePageMixin):
    """A page type answered by view functions in courses/views.py: `""` for the page itself, other
    routes (a course's `enrol/`) below it. Wagtail's RoutablePageMixin routes, serves and previews
    them, and `{% routablepageurl page "enrol" %}` links to them by the view's name.

    The pages cannot import the views (views → services → models would be a circle), so each view
    registers itself: `@CoursePage.page_view("enrol/")`. Records know nothing of views.
    """

    @classmethod
    def page_view(cls, route=""):
        def register(view_function):
            PAGE_VIEWS.setdefault(cls, []).append((route, view_function))
            return view_function

        return register

    @classmethod
    def get_subpage_urls(cls):
        return tuple(
            path(route, _page_method(view_function), name=view_function.__name__)
            for route, view_function in PAGE_VIEWS.get(cls, [])
        )


def _page_method(view_function):
    """RoutablePageMixin calls a route as a method of the page: `view(request, page)` called so."""

    def route(page, request, *args, **kwargs):
        return view_function(request, page, *args, **kwargs)

    return route


class CourseIndexPage(ViewServedPage, SectionPage):
    """The course catalogue at /courses/, answered by courses.views.catalogue."""

    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")


class CoursePage(ViewServedPage, BasePage):
    """A course, answered by courses.views.course_page (and enrol at enrol/)."""

    summary = models.TextField(_("summary"))
    objectives = RichTextField(_("learning objectives"), features=RICH_TEXT_FEATURES)
    area = models.PositiveSmallIntegerField(
        _("programme area"), choices=ProgrammeArea.choices, default=ProgrammeArea.COMMUNICATION
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    hours = models.DecimalField(_("estimated hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)])
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    modules_in_order = models.BooleanField(_("modules must be taken in order"), default=True)
    issues_certificate = models.BooleanField(_("issues a certificate"), default=True)
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"), null=True, blank=True, help_text=_("Leave blank for no expiry.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("objectives"),
        MultiFieldPanel(
            [
                FieldPanel("area"),
                FieldPanel("audience"),
                FieldPanel("hours"),
                FieldPanel("pass_mark"),
                FieldPanel("modules_in_order"),
            ],
            heading=_("Course"),
        ),
        MultiFieldPanel(
            [FieldPanel("issues_certificate"), FieldPanel("certificate_validity_months")], heading=_("Certificate")
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.FilterField("area"),
        index.FilterField("audience"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    # Enrolment is a POST to enrol/.
    allowed_http_methods = [*BasePage.allowed_http_methods, HTTPMethod.POST]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def modules(self):
        """The live modules in tree order, without their lessons and quizzes (see live_modules)."""
        return live_modules([self])


class ModulePage(ViewServedPage, BasePage):
    """A lesson and its quiz, answered by courses.views.module_page (GET, and POST for the quiz)."""

    body = StreamField(BodyBlock(), verbose_name=_("lesson"), blank=True)
    quiz = StreamField(QuizBlock(), verbose_name=_("quiz"), blank=True)
    attempt_limit = models.PositiveSmallIntegerField(
        _("attempts allowed"), null=True, blank=True, help_text=_("Leave blank for no limit.")
    )
    # Against guessing the answers by trying again and again; it cannot be switched off.
    DEFAULT_ATTEMPTS_PER_HOUR = 5
    attempts_per_hour = models.PositiveSmallIntegerField(
        _("attempts per hour"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "How many times a learner may submit this quiz in any hour (1 to 60). Leave blank for the default of 5."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("body"),
        FieldPanel("quiz"),
        FieldPanel("attempt_limit"),
        FieldPanel("attempts_per_hour"),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []
    # "Mark as done" and quiz answers are POSTs.
    allowed_http_methods = [*BasePage.allowed_http_methods, HTTPMethod.POST]
    # A lesson and its quiz are for learners: courses.views.module_page asks everyone else to sign in.
    requires_sign_in = True

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    @property
    def has_quiz(self):
        return len(self.quiz) > 0

    @property
    def hourly_attempt_limit(self):
        return self.attempts_per_hour or self.DEFAULT_ATTEMPTS_PER_HOUR


def live_modules(courses):
    """The live modules of these courses in tree order, without their lessons and quizzes (lists,
    links and counts need neither). The one definition of a course's modules: its pages, the
    learner's progress and the completion records all count these (a draft module is not one)."""
    courses = list(courses)
    if not courses:
        return ModulePage.objects.none()
    # A child's path is its parent's and one step more: one IN list, which PostgreSQL plans in a
    # fraction of the time an OR of one "child of" condition per course takes.
    return (
        ModulePage.objects.live()
        .alias(parent_path=Substr("path", 1, Length("path") - ModulePage.steplen))
        .filter(parent_path__in=[course.path for course in courses])
        .order_by("path")
        .defer_streamfields()
    )


def live_module_counts(courses):
    """{course id: how many live modules it has} for these courses, in one query of paths alone
    (a report needs the counts, not the pages)."""
    courses = list(courses)
    course_by_path = {course.path: course.pk for course in courses}
    counts = dict.fromkeys(course_by_path.values(), 0)
    for module_path in live_modules(courses).values_list("path", flat=True):
        counts[course_by_path[module_path[: -ModulePage.steplen]]] += 1
    return counts


def live_modules_by_course(courses):
    """{course id: its live modules in tree order} for these courses, in one query."""
    courses = list(courses)
    course_by_path = {course.path: course.pk for course in courses}
    modules = defaultdict(list)
    for module in live_modules(courses):
        modules[course_by_path[module.path[: -ModulePage.steplen]]].append(module)
    return modules
