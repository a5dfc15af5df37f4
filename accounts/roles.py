"""The staff roles, as Django groups created by a data migration (0002_roles)."""

EDITORS = "Editors"
MODERATORS = "Moderators"
MANAGERS = "Managers"
ADMINISTRATORS = "Administrators"

STAFF_ROLES = (EDITORS, MODERATORS, MANAGERS, ADMINISTRATORS)


def is_administrator(user):
    return user.is_active and (user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists())
