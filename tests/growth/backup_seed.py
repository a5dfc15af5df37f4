"""The backup test's own data, made in the database and storages its environment names:
`python -m tests.growth.backup_seed OUT.json` (config.settings.dev: tasks run at once, so each
certificate's PDF is rendered when it is issued). Creates the tables straight from the models (as
pytest-django's --no-migrations does: 3 s instead of 25 s of migrations) with the rows Wagtail's
migrations would add, then units, learners, a course,
their completions and certificates (one re-issued, so a replaced one exists), an image and a
document; writes the current certificates to OUT.json."""

import json
import sys

import django


def main(out):
    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    from wagtail.models import Collection, Locale, Page

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    locale = Locale.objects.create(language_code=settings.LANGUAGE_CODE)
    Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    Collection.add_root(name="Root")

    from certificates import services
    from certificates.models import Certificate
    from tests.accounts.factories import OrganisationUnitFactory, UserFactory
    from tests.cms.factories import make_document, make_home_page, make_image
    from tests.courses.factories import complete_course, make_course

    city = OrganisationUnitFactory(code="HN", name="Thành phố Hà Nội", type="city")
    wards = [
        OrganisationUnitFactory(code="HN-P-HK", name="Phường Hoàn Kiếm", type="ward", parent=city),
        OrganisationUnitFactory(code="HN-X-SS", name="Xã Sóc Sơn", type="commune", parent=city),
    ]
    course = make_course(make_home_page(quick_exit_url="https://neutral.example.com/weather"))
    learners = [UserFactory(full_name=f"Nguyễn Văn Học {n}", unit=wards[n % 2]) for n in range(3)]
    for learner in learners:
        complete_course(learner, course)  # issued on commit, the PDF rendered at once
    admin = UserFactory(full_name="Quản trị viên", is_staff=True, is_superuser=True)
    first = Certificate.objects.get(user=learners[0])
    services.reissue(first, admin, holder_name="Nguyễn Văn Học Không")
    make_image(), make_document()

    certificates = Certificate.objects.current().order_by("pk")
    with open(out, "w") as file:
        json.dump(
            [{"code": c.code, "serial": c.serial, "pdf": c.pdf.name, "sha256": c.pdf_sha256} for c in certificates],
            file,
        )


if __name__ == "__main__":
    main(sys.argv[1])
