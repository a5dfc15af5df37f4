"""Run inside the topology's own Django (`manage.py shell`, its production settings and database):
set up learners, read back what the requests wrote. Each function returns plain JSON data.

tests/topology/conftest.py's `django_shell` calls them; they are not tests themselves.
"""

import uuid

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from certificates.models import Certificate
from courses import services
from courses.models import Completion, CoursePage, QuizAttempt
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

# The demo's awareness course (courses/demo_content.py): its last module is a quiz.
COURSE_SLUG = "hieu-dung-ve-bao-luc-tren-co-so-gioi"


def course_and_final_quiz():
    course = CoursePage.objects.get(slug=COURSE_SLUG)
    modules = [module.specific for module in course.modules()]
    assert modules[-1].has_quiz
    return course, modules


def learners_before_the_final_quiz(prefix, count):
    """`count` learners who have done every module of the course but its final quiz."""
    course, modules = course_and_final_quiz()
    emails, batch = [], uuid.uuid4().hex[:6]  # a topology kept up between runs has the earlier ones
    for index in range(count):
        learner = UserFactory(email=f"{prefix}.{batch}.{index}@example.org")
        services.enrol(learner, course)
        for module in modules[:-1]:
            if module.has_quiz:
                services.submit_quiz(learner, module, course, services.correct_answers(module), uuid.uuid4())
            else:
                services.mark_module_done(learner, module, course)
        emails.append(learner.email)
    final = modules[-1]
    answers = {f"q-{question}": sorted(choices) for question, choices in services.correct_answers(final).items()}
    return {"emails": emails, "password": DEFAULT_PASSWORD, "final_quiz": final.url, "answers": answers}


def outcome(emails):
    """Per learner: final-quiz attempts, completions, certificates (and whether each has its PDF)."""
    _course, modules = course_and_final_quiz()
    users = User.objects.filter(email__in=emails)
    attempts = dict(
        QuizAttempt.objects.filter(enrolment__user__in=users, module=modules[-1])
        .values_list("enrolment__user__email")
        .annotate(count=Count("pk"))
    )
    completions = dict(Completion.objects.filter(user__in=users).values_list("user__email").annotate(count=Count("pk")))
    certificates = {}
    for certificate in Certificate.objects.filter(user__in=users).select_related("user"):
        certificates.setdefault(certificate.user.email, []).append(
            {"serial": certificate.serial, "pdf": bool(certificate.pdf), "path": certificate.pdf.name or ""}
        )
    return {
        "attempts": attempts,
        "completions": completions,
        "certificates": certificates,
        "numbers_this_year": sorted(
            Certificate.objects.filter(year=timezone.localdate().year).values_list("number", flat=True)
        ),
    }


def public_image_and_document():
    """An image (and a rendition of it) and a document, uploaded as an editor would: their URLs
    and where their files are."""
    import io

    from django.core.files.images import ImageFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    from PIL import Image as Picture

    buffer = io.BytesIO()
    Picture.new("RGB", (64, 48), (200, 30, 90)).save(buffer, "PNG")
    image = Image.objects.create(title="Áp phích", file=ImageFile(io.BytesIO(buffer.getvalue()), name="ap-phich.png"))
    rendition = image.get_rendition("fill-32x24")
    document = Document.objects.create(title="Tờ rơi", file=SimpleUploadedFile("to-roi.pdf", b"%PDF-1.4\n%%EOF\n"))
    return {
        "original": image.file.url,
        "rendition": rendition.url,
        "document": document.url,
        "document_file": "/media/" + document.file.name,
    }
