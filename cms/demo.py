"""The demo site's pages, materials and help directory from cms/demo_content.py; called by `load_demo_data`.
Every step finds what exists and adds only what is missing (safe to run twice)."""

import datetime
import io

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.rich_text import RichText

from accounts.models import OrganisationUnit
from cms import demo_content as content
from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CampaignIndexPage,
    CampaignMaterial,
    CampaignPage,
    FooterHotline,
    HelpDirectoryPage,
    MaterialFile,
    MaterialPage,
    MaterialsIndexPage,
    ProgrammePage,
    ProgrammePageArea,
    ServiceProvider,
    SiteSettings,
    StandardPage,
)

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def child(parent, model, slug, **fields):
    """The child page with this slug, created (live) when missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    return existing or parent.add_child(instance=model(slug=slug, **fields))


def picture(title, colour, size=(1200, 800)):
    """A generated image (nothing downloaded): a coloured card with its title when a font is there."""
    from PIL import Image as PillowImage
    from PIL import ImageDraw, ImageFont

    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    canvas = PillowImage.new("RGB", size, colour)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([40, 40, size[0] - 40, size[1] - 40], outline=(255, 255, 255), width=8)
    try:
        font = ImageFont.truetype(FONT, 56)
        words, lines, line = title.split(), [], ""
        for word in words:
            if len(line) + len(word) > 28:
                lines.append(line)
                line = ""
            line = f"{line} {word}".strip()
        lines.append(line)
        for number, text in enumerate(lines):
            draw.text((90, 120 + number * 80), text, fill=(255, 255, 255), font=font)
    except OSError:
        pass
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name="demo.png"))


def leaflet_pdf(title, summary):
    from weasyprint import HTML

    html = (
        "<html lang='vi'><head><meta charset='utf-8'><style>@page{size:A5;margin:16mm}"
        "body{font-family:'DejaVu Sans',sans-serif}h1{color:#3e1b5e}</style></head><body>"
        f"<h1>{title}</h1><p>{summary}</p><p>111 · 113 · 115</p>"
        "<p><small>Tài liệu mẫu của nền tảng GBV Learn.</small></p></body></html>"
    )
    return HTML(string=html).write_pdf()


def document(title, data, name):
    Document = get_document_model()
    return Document.objects.filter(title=title).first() or Document.objects.create(
        title=title, file=ContentFile(data, name=name)
    )


def load(home, stdout):
    site_settings = SiteSettings.for_site(home.get_site())
    programme = child(
        home,
        ProgrammePage,
        "chuong-trinh",
        title="Kế hoạch 106/KH-UBND",
        show_in_menus=True,
        intro=content.PROGRAMME_INTRO,
        targets=[("key_figures", content.PROGRAMME_TARGETS)],
    )
    campaigns = child(
        home,
        CampaignIndexPage,
        "chien-dich",
        title="Chiến dịch",
        show_in_menus=True,
        intro="<p>Các chiến dịch truyền thông của chương trình.</p>",
    )
    articles = child(home, ArticleIndexPage, "tin-tuc", title="Tin tức", show_in_menus=True)
    materials = child(
        home,
        MaterialsIndexPage,
        "tai-lieu",
        title="Tài liệu truyền thông",
        show_in_menus=True,
        intro="<p>Áp phích, tờ rơi, đồ họa và tài liệu hướng dẫn: tải về và dùng miễn phí.</p>",
    )
    help_page = child(
        home,
        HelpDirectoryPage,
        "tim-tro-giup",
        title="Tìm trợ giúp",
        show_in_menus=True,
        intro="<p>Nếu bạn đang gặp nguy hiểm, hãy gọi ngay 113. Các số dưới đây đều miễn phí.</p>",
    )
    targets = {"campaigns": campaigns, "articles": articles, "help": help_page}

    if not programme.areas.exists():
        for order, (area, summary, target) in enumerate(content.PROGRAMME_AREAS):
            ProgrammePageArea.objects.create(
                page=programme, sort_order=order, area=area, summary=summary, link_page=targets.get(target)
            )

    material_pages = load_materials(materials)
    load_campaigns(campaigns, material_pages)
    load_articles(articles)
    load_help(help_page)
    for slug, title, in_menu, body in content.STANDARD_PAGES:
        child(home, StandardPage, slug, title=title, show_in_menus=in_menu, body=[("paragraph", RichText(body))])

    if not home.body:
        home.intro = content.HOME_INTRO
        home.body = [
            ("key_figures", content.PROGRAMME_TARGETS),
            (
                "call_to_action",
                {
                    "title": "Bạn cần giúp đỡ?",
                    "text": "Danh bạ các cơ sở hỗ trợ miễn phí, gần bạn.",
                    "page": help_page,
                    "url": "",
                    "button_label": "Tìm trợ giúp",
                },
            ),
        ]
        home.save_revision().publish()
    if not site_settings.footer_hotlines.exists():
        for order, (name, number) in enumerate([("Bảo vệ trẻ em", "111"), ("Công an", "113"), ("Cấp cứu", "115")]):
            FooterHotline.objects.create(settings=site_settings, sort_order=order, name=name, number=number)
    stdout.write(f"Pages: {home.get_descendants().live().count()} published under the home page.")


def load_materials(index):
    pages = []
    for slug, title, kind, audience, language, summary, file_kind, colour in content.MATERIALS:
        preview = picture(title, colour, size=(800, 560))
        page = child(
            index,
            MaterialPage,
            slug,
            title=title,
            material_type=kind,
            audience=audience,
            language=language,
            summary=summary,
            preview_image=preview,
        )
        if not page.files.exists():
            if file_kind == "pdf":
                file = document(title, leaflet_pdf(title, summary), f"{slug}.pdf")
            else:
                buffer = io.BytesIO()
                preview.file.open("rb")
                buffer.write(preview.file.read())
                preview.file.close()
                file = document(title, buffer.getvalue(), f"{slug}.png")
            MaterialFile.objects.create(page=page, document=file, label=title)
        pages.append(page)
    return pages


def load_campaigns(index, material_pages):
    year = timezone.localdate().year
    for campaign in content.CAMPAIGNS:
        campaign_year = year + campaign["year_offset"]
        page = child(
            index,
            CampaignPage,
            campaign["slug"],
            title=campaign["title"],
            theme=campaign["theme"],
            start_date=datetime.date(campaign_year, *campaign["start"]),
            end_date=datetime.date(campaign_year, *campaign["end"]),
            goals=campaign["goals"],
            activities=campaign["activities"],
            hero_image=picture(campaign["title"][:60], (91, 42, 134)),
        )
        if not page.campaign_materials.exists():
            for order, material in enumerate(material_pages[:3]):
                CampaignMaterial.objects.create(page=page, material=material, sort_order=order)


def load_articles(index):
    today = timezone.localdate()
    for slug, title, days_ago, area, tags, summary, paragraphs in content.ARTICLES:
        if ArticlePage.objects.child_of(index).filter(slug=slug).exists():
            continue
        page = index.add_child(
            instance=ArticlePage(
                slug=slug,
                title=title,
                date=today - datetime.timedelta(days=days_ago),
                area=area,
                summary=summary,
                author="Ban biên tập",
                hero_image=picture(title, (40 + area * 20, 60, 120)),
                body=[("paragraph", RichText("".join(f"<p>{text}</p>" for text in paragraphs)))],
            )
        )
        page.tags.add(*tags)
        page.save_revision().publish()


def load_help(page):
    wards = {unit.code: unit for unit in OrganisationUnit.objects.filter(type__in=["ward", "commune"])}
    for entry in content.SERVICE_PROVIDERS:
        fields = dict(entry)
        fields["ward"] = wards.get(fields.pop("ward", None))
        ServiceProvider.objects.get_or_create(name=fields.pop("name"), defaults=fields)
