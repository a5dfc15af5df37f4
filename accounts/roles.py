"""The staff roles, as Django groups created by a data migration (0002_roles)."""

EDITORS = "Editors"
MODERATORS = "Moderators"
MANAGERS = "Managers"
ADMINISTRATORS = "Administrators"

STAFF_ROLES = (EDITORS, MODERATORS, MANAGERS, ADMINISTRATORS)


def is_administrator(user):
    """Whether the user is an active administrator. The group is read once per user object (a
    request's user: the scope rule asks several times a page), as Django caches permissions."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_administrator"):
        user._is_administrator = user.groups.filter(name=ADMINISTRATORS).exists()
    return user._is_administrator
