"""One rule for control characters in typed text, for every form of the site and the admin.

A control character (C0, DEL, C1) in a name, a title or a search box is never meant: it comes
from a paste, a broken keyboard driver or someone probing, and it would end up in certificates,
exports and e-mails. NUL never gets this far (cms.middleware.RejectNulCharacterMiddleware
answers 400). The rest are dropped here:

- single-line fields (text, e-mail, URL, search inputs …): every control character goes; a
  tab or line break becomes a space, so a pasted "Nguyễn\\nVăn A" reads "Nguyễn Văn A";
- anything else (text areas, rich text, hidden inputs): tab, line feed and carriage return stay,
  the other control characters go;
- password fields are left alone: a secret is taken exactly as typed.
"""

import re

from django import forms
from django.forms.widgets import Input

_LINE_BREAKS_AND_TABS = re.compile(r"(?:\r\n|[\t\n\r])+")
_CONTROL_CHARACTERS_BUT_LINE_BREAKS_AND_TABS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def drop_control_characters(text, *, multiline):
    """`text` without control characters; a single line also turns tabs and line breaks into spaces."""
    text = _CONTROL_CHARACTERS_BUT_LINE_BREAKS_AND_TABS.sub("", text)
    if not multiline:
        text = _LINE_BREAKS_AND_TABS.sub(" ", text)
    return text


def is_single_line(widget):
    return isinstance(widget, Input) and not isinstance(widget, forms.HiddenInput)


def install_on_char_fields():
    """Make every forms.CharField (and its subclasses) apply the rule before its own cleaning.

    Django has no hook for "every text field of every form"; allauth's, Wagtail's (page and
    snippet forms, StreamField blocks, the form builder) and ours are all CharFields, so the rule
    is added once, to CharField.to_python. Called from CmsConfig.ready(); idempotent.
    """
    if getattr(forms.CharField.to_python, "drops_control_characters", False):
        return
    to_python = forms.CharField.to_python

    def to_python_without_control_characters(self, value):
        if isinstance(value, str) and not isinstance(self.widget, forms.PasswordInput):
            value = drop_control_characters(value, multiline=not is_single_line(self.widget))
        return to_python(self, value)

    to_python_without_control_characters.drops_control_characters = True
    forms.CharField.to_python = to_python_without_control_characters
