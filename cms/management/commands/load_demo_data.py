"""Load the demo content and accounts. Idempotent: a second run finds everything and adds nothing."""

from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from allauth.account.models import EmailAddress

from accounts import roles
from accounts.models import ManagerScope, OrganisationUnit
from accounts.unit_import import import_units
from cms.models import HomePage, SiteSettings, StandardPage
from cms.site_address import configured_address

DEMO_UNITS_CSV = Path(settings.BASE_DIR) / "accounts" / "fixtures" / "demo_units.csv"
DEMO_PASSWORD = "Demo-GBV-2026"  # noqa: S105 - printed for the demo, never used in production

# (role shown, e-mail, full name, unit code, groups, superuser, manager scope unit codes)
DEMO_ACCOUNTS = [
    ("administrator", "quantri@example.org", "Trần Minh Quân", "HN-SNV", [roles.ADMINISTRATORS], True, []),
    ("editor", "bientap@example.org", "Lê Thu Hà", "HN-SVHTT", [roles.EDITORS], False, []),
    ("moderator", "kiemduyet@example.org", "Phạm Quốc Bảo", "HN-SVHTT", [roles.MODERATORS], False, []),
    ("city manager", "quanly.thanhpho@example.org", "Nguyễn Thị Hồng", "HN-SNV-BDG", [roles.MANAGERS], False, ["HN"]),
    (
        "ward manager",
        "quanly.phuong@example.org",
        "Đỗ Văn Hùng",
        "HN-P-HOANKIEM-VHXH",
        [roles.MANAGERS],
        False,
        ["HN-P-HOANKIEM"],
    ),
    ("learner", "hocvien1@example.org", "Nguyễn Thị Lan", "HN-P-HOANKIEM-TYT", [], False, []),
    ("learner", "hocvien2@example.org", "Vũ Đức Thắng", "HN-X-SOCSON-CA", [], False, []),
]

PRIVACY_NOTICE = """
<p>Nền tảng GBV Learn thu thập họ và tên, địa chỉ e-mail, đơn vị, chức vụ, đối tượng và kết quả học tập
của người học để: tổ chức các khóa học; cấp và xác minh giấy chứng nhận; báo cáo kết quả tập huấn cho
đơn vị quản lý trực tiếp của người học.</p>
<p>Chỉ người học và người quản lý được giao phụ trách đơn vị của người học được xem hồ sơ học tập.
Mọi lần xuất dữ liệu đều được ghi lại. Người học có thể xem, tải về và yêu cầu xóa dữ liệu của mình.</p>
<p>Nền tảng không dùng công cụ theo dõi hay phân tích của bên thứ ba và không đặt cookie không cần
thiết cho khách truy cập.</p>
<p><em>Phiên bản thông báo: {version}.</em></p>
"""


class Command(BaseCommand):
    help = "Load the demo units, accounts and pages (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        summary = import_units(DEMO_UNITS_CSV.read_bytes())
        self.stdout.write(
            f"Sample units (not an official list): {len(summary.created)} created, "
            f"{len(summary.updated)} updated, {summary.unchanged} already there."
        )
        home = self.ensure_pages()
        created = self.ensure_accounts()
        self.stdout.write(
            f"Demo accounts: {created} created. Sign in at {settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/accounts/login/"
        )
        # Each app adds its own demo content through `<app>/demo.py` (data in `demo_content.py`),
        # lowest first (INSTALLED_APPS lists the highest first): courses build on cms's pages.
        for app_config in reversed(list(apps.get_app_configs())):
            ours = Path(app_config.path).parent == Path(settings.BASE_DIR)
            if ours and module_has_submodule(app_config.module, "demo"):
                import_module(f"{app_config.name}.demo").load(home, self.stdout)
        self.stdout.write(f"Site: {home.title} at {settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/")
        self.stdout.write("")
        self.stdout.write(f"  {'role':<14} {'e-mail':<30} password")
        for role, email, *_rest in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<14} {email:<30} {DEMO_PASSWORD}")
        self.stdout.write("Staff accounts set up an authenticator app (TOTP) the first time they open /admin/.")

    def ensure_pages(self):
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = root.add_child(
                instance=HomePage(
                    title="Chung tay phòng, chống bạo lực trên cơ sở giới",
                    slug="trang-chu",
                    intro="<p>Nền tảng truyền thông và tập huấn trực tuyến của chương trình phòng, chống bạo lực "
                    "trên cơ sở giới.</p>",
                )
            )
            site = Site.objects.filter(is_default_site=True).first()
            welcome = site.root_page if site else None
            hostname, port = configured_address()
            Site.objects.update_or_create(
                is_default_site=True,
                defaults={"hostname": hostname, "port": port, "root_page": home, "site_name": "GBV Learn"},
            )
            if welcome is not None and welcome.specific_class is Page:
                welcome.delete()
        privacy = StandardPage.objects.filter(slug="chinh-sach-bao-mat").first()
        if privacy is None:
            privacy = home.add_child(
                instance=StandardPage(
                    title="Thông báo về bảo vệ dữ liệu cá nhân",
                    slug="chinh-sach-bao-mat",
                    body=[("paragraph", RichText(PRIVACY_NOTICE.format(version=settings.PRIVACY_NOTICE_VERSION)))],
                )
            )
        site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
        if site_settings.privacy_page_id is None:
            site_settings.organisation_name = "Chương trình phòng, chống bạo lực trên cơ sở giới"
            site_settings.privacy_page = privacy
            site_settings.save()
        return home

    def ensure_accounts(self):
        User = get_user_model()
        units = {unit.code: unit for unit in OrganisationUnit.objects.all()}
        created = 0
        for _role, email, full_name, unit_code, group_names, superuser, scopes in DEMO_ACCOUNTS:
            if User.objects.with_email(email).exists():
                continue
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                full_name=full_name,
                unit=units[unit_code],
                staff_category=User.StaffCategory.CIVIL_SERVANT,
                is_superuser=superuser,
                is_staff=superuser,
            )
            user.groups.set(Group.objects.filter(name__in=group_names))
            for code in scopes:
                ManagerScope.objects.create(user=user, unit=units[code])
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            created += 1
        return created
