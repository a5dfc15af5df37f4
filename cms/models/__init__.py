"""The public site's models: page types (pages), snippets, and the per-site settings."""

from cms.models.pages import (
    ArticleIndexPage,
    ArticlePage,
    ArticlePageTag,
    BasePage,
    CampaignIndexPage,
    CampaignMaterial,
    CampaignPage,
    CampaignPageQuerySet,
    HelpDirectoryPage,
    HomePage,
    MaterialFile,
    MaterialPage,
    MaterialsIndexPage,
    ProgrammeArea,
    ProgrammePage,
    ProgrammePageArea,
    SectionPage,
    StandardPage,
)
from cms.models.site_settings import FooterHotline, SiteSettings
from cms.models.snippets import ServiceProvider

__all__ = [
    "ArticleIndexPage",
    "ArticlePage",
    "ArticlePageTag",
    "BasePage",
    "CampaignIndexPage",
    "CampaignMaterial",
    "CampaignPage",
    "CampaignPageQuerySet",
    "FooterHotline",
    "HelpDirectoryPage",
    "HomePage",
    "MaterialFile",
    "MaterialPage",
    "MaterialsIndexPage",
    "ProgrammeArea",
    "ProgrammePage",
    "ProgrammePageArea",
    "SectionPage",
    "ServiceProvider",
    "SiteSettings",
    "StandardPage",
]
