from django.contrib.auth.models import Group

import factory
from allauth.account.models import EmailAddress

from accounts.models import ManagerScope, OrganisationUnit, User

DEFAULT_PASSWORD = "Mat-khau-an-toan-2026"


class OrganisationUnitFactory(factory.django.DjangoModelFactory):
    """A unit; pass parent=<unit> for a child, or nothing for a root."""

    class Meta:
        model = OrganisationUnit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Đơn vị thử {n}")
    type = OrganisationUnit.Type.UNIT

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.add_root(**kwargs)
        parent.refresh_from_db()
        return parent.add_child(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    """A learner with a verified e-mail address and a known password."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"nguoi.dung{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Nguyễn Thị Học Viên {n}")
    staff_category = User.StaffCategory.CIVIL_SERVANT
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class ManagerScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManagerScope

    user = factory.SubFactory(UserFactory, roles=["Managers"])
    unit = factory.SubFactory(OrganisationUnitFactory)


def signup_data(**overrides):
    """What a learner types into the sign-up form; an override of None leaves the field out."""
    data = {
        "email": "lan.nguyen@example.org",
        "password1": DEFAULT_PASSWORD,
        "password2": DEFAULT_PASSWORD,
        "full_name": "Nguyễn Thị Lan",
        "unit": "HN-P-HK-TYT",
        "position": "Y sĩ",
        "staff_category": "staff",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
