from django.dispatch import Signal

# Sent once, after the transaction that recorded it commits, with `completion`.
# Higher apps (certificates) connect to it in their AppConfig.ready().
course_completed = Signal()
