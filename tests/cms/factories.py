def make_image(title="Ảnh thử", colour=(120, 60, 160), size=(64, 40)):
    """A real PNG in Wagtail's image library."""
    import io

    from django.core.files.images import ImageFile

    from wagtail.images import get_image_model

    from PIL import Image as PillowImage

    buffer = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, "PNG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="anh-thu.png"))


def make_document(title="Tờ rơi thử", content=b"%PDF-1.4\n%test\n"):
    from django.core.files.base import ContentFile

    from wagtail.documents import get_document_model

    return get_document_model().objects.create(title=title, file=ContentFile(content, name="to-roi-thu.pdf"))
