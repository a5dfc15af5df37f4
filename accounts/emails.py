"""E-mails the site sends a user on its own (assignments, certificates, reminders): in the site's
language, Vietnamese, whatever language the request or command that sends them runs in."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_user_email(user, template_prefix, context):
    """Render `<template_prefix>_subject.txt` and `_body.txt` with the context and send them to the user."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
        body = render_to_string(f"{template_prefix}_body.txt", context)
    send_mail(subject, body, None, [user.email])
