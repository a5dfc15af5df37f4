"""Thin views over courses.services: the catalogue, the course page, enrolment, a module, the
learner's dashboard. The page types are answered by the views registered on them here
(`@CoursePage.page_view(route)`, see courses.models.pages.ViewServedPage)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from wagtail import hooks

from cms.listing import chosen_filters, filter_context
from cms.models import ProgrammeArea
from courses import services
from courses.assignments import assigned_courses, assignments_for, fulfilled_course_ids
from courses.models import Audience, CourseIndexPage, CoursePage, Enrolment, ModulePage


@CourseIndexPage.page_view()
def catalogue(request, index):
    courses = CoursePage.objects.live().child_of(index).order_by("path")
    chosen = chosen_filters(request, {"area": ProgrammeArea, "audience": Audience})
    courses = list(courses.filter(**chosen))
    progress = services.learner_progress(request.user, courses) if request.user.is_authenticated else {}
    facts = services.course_facts(courses)
    for course in courses:
        course.percent = progress[course.pk].percent if course.pk in progress else None
        course.facts = facts[course.pk]
    context = index.get_context(request)
    context.update(filter_context(chosen))
    context.update({"courses": courses, "areas": ProgrammeArea.choices, "audiences": Audience.choices})
    return TemplateResponse(request, index.get_template(request), context)


@CoursePage.page_view()
def course_page(request, course):
    standing = services.standing_in(request.user, course)
    progress = standing.progress
    context = course.get_context(request)
    context.update(
        {
            "modules": standing.modules,
            "enrolment": standing.enrolment,
            "done_ids": standing.done_ids,
            "locked_ids": standing.locked_ids,
            "percent": progress.percent,
            "next_module": progress.next_module,
            "may_retake": services.may_retake(standing.enrolment),
            "facts": services.course_facts([course])[course.pk],
            "course_complete": standing.completed,
        }
    )
    return TemplateResponse(request, course.get_template(request), context)


@CoursePage.page_view("enrol/")
def enrol(request, course):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(course.url)
    services.enrol(request.user, course)
    messages.success(request, _("You are enrolled. Start with the first module."))
    return HttpResponseRedirect(course.url)


@ModulePage.page_view()
def module_page(request, module):
    if module.requires_sign_in and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = module.get_parent().specific
    if request.method == "POST":
        return submit_module(request, module, course)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render_module(request, module, services.standing_in(request.user, course, attempts_at=module))


def render_module(request, module, standing, submission=None, status=200, quiz_closed=None):
    modules = standing.modules
    position = next((index for index, m in enumerate(modules) if m.pk == module.pk), 0)
    feedback = services.feedback_on(submission, module) if submission else None
    feedback_by_question = feedback.by_question() if feedback else {}
    context = module.get_context(request)
    context.update(
        {
            "course": standing.course,
            "enrolment": standing.enrolment,
            "locked": module.pk in standing.locked_ids,
            "done": module.pk in standing.done_ids,
            # Each question with its feedback after an attempt (None before one).
            "questions": [
                (question.id, question.block_type, question.value, feedback_by_question.get(question.id))
                for question in module.quiz
            ],
            "token": uuid.uuid4(),
            "result": submission,
            "feedback": feedback,
            # After a failed attempt the form comes back with the learner's choices still ticked.
            "kept_choices": feedback.chosen_ids if feedback else set(),
            "course_complete": standing.completed,
            # Instead of the quiz form: why it cannot be submitted now (all attempts used, too many
            # in the past hour and when to come back).
            "quiz_closed": quiz_closed or services.quiz_closed_because(standing, module),
            "next_module": modules[position + 1] if position + 1 < len(modules) else None,
            "position": position + 1,
            "module_count": len(modules),
        }
    )
    return TemplateResponse(request, module.get_template(request), context, status=status)


def form_token(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise services.CourseRuleError(_("The form has expired. Reload the page and try again.")) from None


def submit_module(request, module, course):
    try:
        if "mark_done" in request.POST:
            services.mark_module_done(request.user, module, course)
            messages.success(request, _("Module complete."))
            return HttpResponseRedirect(module.url)
        token = form_token(request.POST.get("token", ""))
        submitted = {key.removeprefix("q-"): request.POST.getlist(key) for key in request.POST if key.startswith("q-")}
        submission = services.submit_quiz(request.user, module, course, submitted, token)
    except services.QuizClosed as closed:  # the page says why in place of the form
        standing = services.standing_in(request.user, course)
        return render_module(request, module, standing, status=closed.status_code, quiz_closed=str(closed))
    except services.CourseRuleError as error:
        messages.error(request, str(error))
        return render_module(request, module, services.standing_in(request.user, course), status=error.status_code)
    return render_module(request, module, submission.standing, submission=submission)


@login_required
def dashboard(request):
    # Each enrolment with its completion, if any, in the same query.
    enrolments = list(
        Enrolment.objects.filter(user=request.user).select_related("course", "completion").order_by("-started_at")
    )
    assigned = assignments_for(request.user)
    courses = {e.course_id: e.course for e in enrolments} | {a.course_id: a.course for a in assigned}
    progress = services.learner_progress(request.user, courses.values())
    completions = {e.pk: e.completion for e in enrolments if hasattr(e, "completion")}
    rows = [
        {
            "enrolment": e,
            "course": e.course,
            "percent": progress[e.course_id].percent,
            "next_module": progress[e.course_id].next_module,
            "completion": completions.get(e.pk),
        }
        for e in enrolments
    ]
    return TemplateResponse(
        request,
        "courses/dashboard.html",
        {
            "assigned": assigned_courses(assigned, progress, fulfilled_course_ids(request.user, assigned)),
            "in_progress": [row for row in rows if not row["completion"]],
            "completed": [row for row in rows if row["completion"]],
            # Higher apps (certificates) add their own sections through this hook.
            "panels": [panel(request) for panel in hooks.get_hooks("learner_dashboard_panels")],
        },
    )
