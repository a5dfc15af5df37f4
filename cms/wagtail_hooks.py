from wagtail.snippets.models import register_snippet

from cms.viewsets import ServiceProviderViewSet

register_snippet(ServiceProviderViewSet)
