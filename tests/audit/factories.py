import factory

from audit.models import ExportLog
from tests.accounts.factories import UserFactory


class ExportLogFactory(factory.django.DjangoModelFactory):
    """An export of the completion records as CSV, by a manager (its row count not yet recorded)."""

    user = factory.SubFactory(UserFactory, roles=["Managers"])
    report = "completion_records"
    export_format = "csv"
    filters = factory.LazyFunction(dict)

    class Meta:
        model = ExportLog
