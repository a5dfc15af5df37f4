from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")
    default = True

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from cms.site_address import apply_after_migrate

        post_migrate.connect(apply_after_migrate, sender=self, dispatch_uid="cms-site-address")

        from cms.control_characters import install_on_char_fields

        install_on_char_fields()

        from cms import lookups

        lookups.install()

        from wagtail.models import get_page_models
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from cms.page_cache import bump_after_outage, drop_all_pages
        from ops.cache import shared_cache_recovered

        shared_cache_recovered.connect(bump_after_outage, dispatch_uid="page-cache-after-outage")
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(drop_all_pages, dispatch_uid=f"page-cache-{signal!r}")
        # What else public pages show. Not renditions: rendering a page creates them.
        # Page rows are saved under their own class, so each page type is connected.
        shown = [model._meta.label for model in get_page_models()] + [
            "cms.SiteSettings",
            "cms.FooterHotline",
            "cms.ServiceProvider",
            "cms.MaterialFile",
            "wagtailimages.Image",
            "wagtaildocs.Document",
            "accounts.OrganisationUnit",
            # Which site answers a host, and who may see a page (cms.routing remembers both).
            "wagtailcore.Site",
            "wagtailcore.PageViewRestriction",
        ]
        for label in shown:
            model = self.apps.get_model(label)
            post_save.connect(drop_all_pages, sender=model, dispatch_uid=f"page-cache-save-{label}")
            post_delete.connect(drop_all_pages, sender=model, dispatch_uid=f"page-cache-delete-{label}")
