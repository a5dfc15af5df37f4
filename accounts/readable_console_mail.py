"""E-mail in the development terminal as a person reads it (config/settings/dev.py).

Django's console backend prints the raw MIME message, whose Vietnamese body is base64: the
confirmation link cannot be read or clicked. This one prints the headers decoded and each text
part as UTF-8 text; other parts (attachments) are named, not dumped.
"""

from django.core.mail.backends.console import EmailBackend

HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date")


class ReadableConsoleEmailBackend(EmailBackend):
    def write_message(self, message):
        mime = message.message()
        lines = [f"{name}: {mime[name]}" for name in HEADERS if mime[name]]
        for part in mime.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            if part.get_content_maintype() == "text" and not filename:
                lines += ["", f"[{part.get_content_type()}]", part.get_content().replace("\r\n", "\n").rstrip("\n")]
            else:
                lines += ["", f"[{part.get_content_type()}: {filename or 'unnamed'}, not shown]"]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79 + "\n")
