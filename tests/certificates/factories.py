import factory

from certificates import services
from certificates.models import Certificate
from tests.courses.factories import CompletionFactory


class CertificateFactory(factory.django.DjangoModelFactory):
    """The certificate of a completion, issued by certificates.services.issue (the next serial, a fresh
    code, the PDF rendered on commit); pass completion=<completion>, or course=<course page> for a new
    learner's completion."""

    class Meta:
        model = Certificate

    class Params:
        course = None

    completion = factory.SubFactory(CompletionFactory, course=factory.SelfAttribute("..course"))
    holder_name = None

    @classmethod
    def _create(cls, model_class, *args, completion, holder_name=None, **kwargs):
        if kwargs:  # the service decides every other field: silently ignoring them would mislead
            raise TypeError(f"A certificate is issued, not built: {sorted(kwargs)} cannot be set.")
        return services.issue(completion, holder_name)
