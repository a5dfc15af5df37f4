"""Courses: the page types learners take (pages) and what they did in them (records)."""

from courses.models.pages import (
    Audience,
    CourseIndexPage,
    CoursePage,
    ModulePage,
    live_module_counts,
    live_modules,
    live_modules_by_course,
)
from courses.models.records import (
    Assignment,
    AssignmentReminder,
    Completion,
    Enrolment,
    ModuleProgress,
    QuizAttempt,
    add_months,
)

__all__ = [
    "Assignment",
    "AssignmentReminder",
    "Audience",
    "Completion",
    "CourseIndexPage",
    "CoursePage",
    "Enrolment",
    "ModulePage",
    "ModuleProgress",
    "QuizAttempt",
    "add_months",
    "live_modules",
    "live_module_counts",
    "live_modules_by_course",
]
