from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        # The page types are answered by the views registered on them in courses.views: register
        # them before the first request (the pages cannot import the views, see ViewServedPage).
        from courses import figures, views  # noqa: F401

        # An enrolment's figures follow the set of its course's live modules (courses.figures).
        figures.connect()
