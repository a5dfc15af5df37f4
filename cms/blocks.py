"""The one block library every page body is built from.

Nothing a block renders loads anything from another origin: videos hosted elsewhere are
links (their title is fetched by the server when the editor saves), not embedded players.
"""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"]


def first_image_preview(*_args):
    """Blocks that need an image preview with the first one the library holds (if any)."""
    from wagtail.images import get_image_model

    image = get_image_model().objects.order_by("pk").first()
    return {"image": image, "caption": "Chiến dịch truyền thông Tháng hành động"} if image else None


def first_document_preview(*_args):
    from wagtail.documents import get_document_model

    document = get_document_model().objects.order_by("pk").first()
    return {"document": document, "label": ""} if document else None


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"), choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"
        description = _("A heading that divides the page into sections.")
        preview_value = {"text": "Bạo lực trên cơ sở giới là gì?", "level": "h2"}


class RichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=RICH_TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = "cms/blocks/rich_text.html"
        description = _("Paragraphs with links and lists.")
        preview_value = (
            "<p>Bạo lực trên cơ sở giới là bất kỳ hành vi nào gây tổn hại về thể chất, tinh thần, "
            "tình dục hoặc kinh tế đối với một người vì giới của họ.</p>"
        )


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    class Meta:
        icon = "image"
        template = "cms/blocks/captioned_image.html"
        description = _("An image with its alternative text and an optional caption.")
        preview_value = first_image_preview


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(
        label=_("Video address"),
        help_text=_("A YouTube or Vimeo address. Visitors get a link: the site embeds nothing from other sites."),
    )
    title = blocks.CharBlock(label=_("Title"), max_length=255)
    transcript = blocks.RichTextBlock(label=_("Transcript"), features=RICH_TEXT_FEATURES, required=False)

    class Meta:
        icon = "media"
        template = "cms/blocks/video.html"
        description = _("A video hosted elsewhere, offered as a link with its transcript.")
        preview_value = {
            "video": "https://www.youtube.com/watch?v=example",
            "title": "Nhận diện các hình thức bạo lực trên cơ sở giới",
            "transcript": "<p>Bạo lực không chỉ là đánh đập: còn có kiểm soát, xúc phạm, cô lập.</p>",
        }


class DocumentDownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(label=_("Link text"), required=False, max_length=255)

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document_download.html"
        description = _("A file to download, with its type and size.")
        preview_value = first_document_preview


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=255)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"
        description = _("A quotation with the name of who said it.")
        preview_value = {
            "text": "Không có hình thức bạo lực nào là chuyện riêng của mỗi gia đình.",
            "attribution": "Cán bộ Hội Liên hiệp Phụ nữ phường",
        }


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        label=_("Tone"),
        choices=[("info", _("Information")), ("warning", _("Warning")), ("success", _("Good to know"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "cms/blocks/callout.html"
        description = _("A boxed note that stands out from the text.")
        preview_value = {
            "tone": "info",
            "title": "Bạn không đơn độc",
            "text": "<p>Gọi 111 (miễn phí, 24/7) nếu trẻ em bị xâm hại hoặc có nguy cơ bị xâm hại.</p>",
        }


class FaqQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=255)
    answer = blocks.RichTextBlock(label=_("Answer"), features=RICH_TEXT_FEATURES)


class FAQBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    questions = blocks.ListBlock(FaqQuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        template = "cms/blocks/faq.html"
        description = _("Questions and answers that open one at a time.")
        preview_value = {
            "title": "Câu hỏi thường gặp",
            "questions": [
                {
                    "question": "Bạo lực gia đình có phải chuyện riêng?",
                    "answer": "<p>Không. Luật Phòng, chống bạo lực gia đình năm 2022 quy định đây là hành vi bị "
                    "nghiêm cấm.</p>",
                }
            ],
        }


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("Figure"), max_length=30, help_text=_("For example 50% or 1.200"))
    label = blocks.CharBlock(label=_("What it counts"), max_length=200)
    source = blocks.CharBlock(label=_("Source"), required=False, max_length=255)


class KeyFiguresBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    figures = blocks.ListBlock(KeyFigureBlock(), label=_("Figures"), min_num=1, max_num=6)

    class Meta:
        icon = "table"
        template = "cms/blocks/key_figures.html"
        description = _("A few numbers shown large, each with what it counts.")
        preview_value = {
            "title": "Mục tiêu đến năm 2025",
            "figures": [
                {"value": "50%", "label": "người bị bạo lực tìm đến dịch vụ hỗ trợ", "source": "Kế hoạch 106/KH-UBND"},
                {"value": "100%", "label": "người cần hỗ trợ được hỗ trợ", "source": "Kế hoạch 106/KH-UBND"},
            ],
        }


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    text = blocks.TextBlock(label=_("Text"), required=False)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("Or an address"), required=False)
    button_label = blocks.CharBlock(label=_("Button text"), max_length=60)

    class Meta:
        icon = "link"
        template = "cms/blocks/call_to_action.html"
        description = _("A short invitation with one button.")
        preview_value = {
            "title": "Tham gia khóa học trực tuyến",
            "text": "Hiểu đúng về bạo lực trên cơ sở giới trong 2 giờ.",
            "url": "/",
            "button_label": "Bắt đầu học",
        }

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": blocks.BlockValidationError(_("Choose a page or give an address."))}
            )
        return value


class HotlineBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Name"), max_length=120)
    number = blocks.CharBlock(label=_("Number"), max_length=30)


class HelpCardBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    text = blocks.TextBlock(label=_("Text"), required=False)
    hotlines = blocks.ListBlock(HotlineBlock(), label=_("Hotlines"), min_num=1)

    class Meta:
        icon = "mail"
        template = "cms/blocks/help_card.html"
        description = _("Where to call for help, with numbers people can tap.")
        preview_value = {
            "title": "Cần giúp đỡ ngay?",
            "text": "Các số điện thoại miễn phí, hoạt động 24/7.",
            "hotlines": [
                {"name": "Tổng đài quốc gia bảo vệ trẻ em", "number": "111"},
                {"name": "Công an", "number": "113"},
                {"name": "Cấp cứu", "number": "115"},
            ],
        }


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = RichTextBlock()
    image = CaptionedImageBlock()
    video = VideoBlock()
    document = DocumentDownloadBlock()
    quote = QuoteBlock()
    callout = CalloutBlock()
    faq = FAQBlock()
    key_figures = KeyFiguresBlock()
    call_to_action = CallToActionBlock()
    help_card = HelpCardBlock()

    class Meta:
        template = "cms/blocks/body.html"
