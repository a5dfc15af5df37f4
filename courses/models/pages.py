from http import HTTPMethod

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock
from cms.models import BasePage, ProgrammeArea, SectionPage
from courses.blocks import QuizBlock


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    OFFICIALS = "officials", _("Officials, civil servants and staff")


class CourseIndexPage(SectionPage):
    """The course catalogue at /courses/."""

    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from cms.listing import chosen_filters, filter_context
        from courses.services import learner_progress

        context = super().get_context(request, *args, **kwargs)
        courses = CoursePage.objects.live().child_of(self).order_by("path")
        chosen = chosen_filters(request, {"area": ProgrammeArea, "audience": Audience})
        courses = courses.filter(**chosen)
        context.update(filter_context(chosen))
        courses = list(courses)
        progress = learner_progress(request.user, courses) if request.user.is_authenticated else {}
        for course in courses:
            course.percent = progress[course.pk].percent if course.pk in progress else None
        context["courses"] = courses
        context["areas"] = ProgrammeArea.choices
        context["audiences"] = Audience.choices
        return context


class CoursePage(RoutablePageMixin, BasePage):
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

    def modules(self):
        """The live modules in tree order, without their lessons and quizzes (lists and links need neither)."""
        return ModulePage.objects.live().child_of(self).order_by("path").defer_streamfields()

    @path("")
    def course_view(self, request):
        from courses.views import course_page

        return course_page(request, self)

    @path("enrol/")
    def enrol_view(self, request):
        from courses.views import enrol

        return enrol(request, self)


class ModulePage(BasePage):
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

    class Meta:
        verbose_name = _("module")

    @property
    def has_quiz(self):
        return len(self.quiz) > 0

    @property
    def hourly_attempt_limit(self):
        return self.attempts_per_hour or self.DEFAULT_ATTEMPTS_PER_HOUR

    def serve(self, request, *args, **kwargs):
        from courses.views import module_page

        return module_page(request, self)
