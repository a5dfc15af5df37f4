from django import template

from cms.models import SiteSettings
from reports.programme_figures import PLAN_START, programme_figures, target_progress

register = template.Library()


@register.inclusion_tag("reports/includes/programme_figures.html", takes_context=True)
def live_programme_figures(context):
    """The programme page's live figures and the year's training targets (cms's template names
    the tag, never the models it counts)."""
    figures = programme_figures()
    site_settings = SiteSettings.for_request(context["request"])
    achieved = {
        "officials": figures.this_year.officials_trained,
        "units": figures.this_year.units_fully_trained,
    }
    set_targets = {
        "officials": site_settings.officials_to_train_this_year,
        "units": site_settings.units_to_train_this_year,
    }
    targets = [
        {"kind": kind, "achieved": achieved[kind], "target": target, "percent": target_progress(achieved[kind], target)}
        for kind, target in set_targets.items()
        if target
    ]
    return {"figures": figures, "plan_start_year": PLAN_START.year, "targets": targets}
