import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.users.forms import UserCreationForm, UserEditForm

from allauth.account.forms import SignupForm as AllauthSignupForm

from accounts.models import FULL_NAME_MAX_LENGTH, OrganisationUnit, User


def normalise_full_name(value):
    """NFC (one code point per Vietnamese letter, as keyboards differ) and single spaces."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


class FullNameField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Full name"),
            max_length=FULL_NAME_MAX_LENGTH,
            error_messages={"required": _("Enter your full name.")},
            **kwargs,
        )

    def to_python(self, value):
        return normalise_full_name(super().to_python(value))


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picked from a searchable list (the template's datalist of "name – parent").

    Accepts the list's label, as people pick it, or the unit's code.
    """

    def __init__(self, **kwargs):
        super().__init__(
            queryset=OrganisationUnit.objects.all(),
            to_field_name="code",
            label=_("Organisation unit"),
            help_text=_("Type part of the unit's name and pick it from the list."),
            error_messages={
                "required": _("Choose your organisation unit."),
                "invalid_choice": _("Choose a unit from the list: “%(value)s” is not one of them."),
            },
            widget=forms.TextInput(attrs={"list": "unit-options", "autocomplete": "off"}),
            **kwargs,
        )

    def to_python(self, value):
        value = " ".join((value or "").split())
        if value in self.empty_values:
            return None
        if "\x00" in value:  # PostgreSQL refuses NUL in a query; no unit has one
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value.replace("\x00", "")},
            )
        codes = [code for code, label in OrganisationUnit.objects.labels() if label == value] or [value]
        if len(codes) == 1 and (unit := self.queryset.filter(code=codes[0]).first()):
            return unit
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class ProfileFieldsMixin(forms.Form):
    full_name = FullNameField(widget=forms.TextInput(attrs={"autocomplete": "name"}))
    unit = UnitChoiceField(required=False)
    position = forms.CharField(
        label=_("Position"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    staff_category = forms.ChoiceField(
        label=_("Staff category"),
        choices=[("", _("Choose…"))] + list(User.StaffCategory.choices),
        error_messages={"required": _("Choose your staff category.")},
    )

    def clean(self):
        cleaned_data = super().clean()
        # Citizens ("other") may have no unit; everyone employed by the programme has one.
        if (
            cleaned_data.get("staff_category") not in (None, "", User.StaffCategory.OTHER)
            and not cleaned_data.get("unit")
            and "unit" not in self.errors
        ):
            self.add_error("unit", _("Choose your organisation unit."))
        return cleaned_data


class SignupForm(ProfileFieldsMixin, AllauthSignupForm):
    consent = forms.BooleanField(
        label=_(
            "I agree that my name, e-mail address, unit, position and learning records are processed to run my "
            "courses, issue my certificates and report my training to the units that manage me, as the privacy "
            "notice describes."
        ),
        error_messages={
            "required": _("Tick the box to agree to the privacy notice; without it we cannot open an account.")
        },
    )

    field_order = ["email", "password1", "password2", "full_name", "unit", "position", "staff_category", "consent"]

    def unit_options(self):
        """The datalist's options: every unit as "name – parent name"."""
        return [label for _code, label in OrganisationUnit.objects.labels()]


class AdminUserFieldsMixin:
    """Wagtail's user forms with our profile fields in place of first and last name."""

    first_name = None
    last_name = None


class AdminUserCreationForm(AdminUserFieldsMixin, UserCreationForm):
    full_name = FullNameField()

    class Meta(UserCreationForm.Meta):
        fields = {"email", "full_name", "unit", "position", "staff_category", "is_superuser", "groups"}


class AdminUserEditForm(AdminUserFieldsMixin, UserEditForm):
    full_name = FullNameField()

    class Meta(UserEditForm.Meta):
        fields = {"email", "full_name", "unit", "position", "staff_category", "is_active", "is_superuser", "groups"}
