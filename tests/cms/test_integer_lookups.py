"""A number too large for the database is a choice that does not exist, on SQLite as on PostgreSQL."""

from django import forms

from wagtail.models import Page

import pytest

from accounts.models import OrganisationUnit
from courses.models import CoursePage

pytestmark = pytest.mark.django_db

TOO_LARGE = ["99999999999999999999", "-99999999999999999999"]


@pytest.mark.parametrize("model", [OrganisationUnit, Page, CoursePage])  # CoursePage: pk through page_ptr
@pytest.mark.parametrize("number", TOO_LARGE)
def test_a_chooser_given_a_number_too_large_says_it_is_not_a_choice(model, number):
    for field in (forms.ModelChoiceField(model.objects.all()), forms.ModelMultipleChoiceField(model.objects.all())):
        with pytest.raises(forms.ValidationError):
            field.clean([number] if isinstance(field, forms.ModelMultipleChoiceField) else number)


def test_lookups_with_numbers_too_large_match_nothing_and_keep_the_others(home_page):
    huge = 99999999999999999999
    assert not Page.objects.filter(pk__in=[huge]).exists()
    assert list(Page.objects.filter(pk__in=[huge, home_page.pk])) == [home_page.page_ptr]
    assert not Page.objects.filter(homepage=huge).exists()
    assert Page.objects.exclude(pk__in=[huge]).filter(pk=home_page.pk).exists()
