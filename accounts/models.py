from functools import reduce
from operator import or_

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _

from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

FULL_NAME_MAX_LENGTH = 150


class OrganisationUnitQuerySet(MP_NodeQuerySet):
    def below(self, units_or_paths):
        """The units at or under any of these units (or tree paths): each one and its whole subtree.

        No units or paths given, no units returned.
        """
        return self.filter(OrganisationUnit.subtree_q(units_or_paths, field=""))

    def with_parent_name(self):
        """Annotate each unit with its parent's name in the same query (a parent's path is a prefix)."""
        parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrganisationUnit.steplen)
        return self.annotate(parent_name=Subquery(OrganisationUnit.objects.filter(path=parent_path).values("name")[:1]))

    def labels(self):
        """(code, "name – parent name") of every unit in tree order, in one query: how people tell
        two "Trạm Y tế" apart."""
        units = list(self.order_by("path").values_list("path", "code", "name"))
        name_by_path = {path: name for path, _code, name in units}
        labels = []
        for path, code, name in units:
            parent_name = name_by_path.get(OrganisationUnit.parent_path_of(path))
            labels.append((code, f"{name} – {parent_name}" if parent_name else name))
        return labels


class OrganisationUnitManager(MP_NodeManager.from_queryset(OrganisationUnitQuerySet)):
    def get_queryset(self):
        return OrganisationUnitQuerySet(self.model, using=self._db).order_by("path")


class OrganisationUnit(MP_Node):
    """A node of the organisation tree: the city, its departments and wards, their units.

    Children keep their insertion order (no node_order_by), so existing paths never shift
    when a unit is added; lists sort by name where they show units.
    """

    class Type(models.TextChoices):
        CITY = "city", _("City")
        DEPARTMENT = "department", _("Department")
        WARD = "ward", _("Ward")
        COMMUNE = "commune", _("Commune")
        UNIT = "unit", _("Unit")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.UNIT)

    objects = OrganisationUnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    # The tree's arithmetic. A materialised path is its parent's path plus `steplen` characters,
    # so a unit's ancestors' paths are its path's prefixes at whole steps, and a subtree is
    # the units whose path starts with the subtree's top's path.

    @classmethod
    def parent_path_of(cls, path):
        """The path of the parent of the unit at `path` ("" for a root)."""
        return path[: -cls.steplen]

    @property
    def parent_path(self):
        """This unit's parent's path ("" for a root), without a query."""
        return self.parent_path_of(self.path)

    @classmethod
    def ancestor_paths_of(cls, path):
        """The paths of the unit at `path` and of its ancestors, top first, ending with `path`
        itself (empty for an empty path)."""
        return [path[:end] for end in range(cls.steplen, len(path) + 1, cls.steplen)]

    def ancestor_paths(self):
        """The paths of this unit and its ancestors, top first: the units whose assignments,
        scopes … cover this one."""
        return self.ancestor_paths_of(self.path)

    @staticmethod
    def tree_paths(units_or_paths):
        """The paths of these units (or the paths themselves), empty ones dropped."""
        return [getattr(unit, "path", unit) for unit in units_or_paths if getattr(unit, "path", unit)]

    @classmethod
    def path_is_below(cls, path, units_or_paths):
        """Whether the unit at `path` is one of these units (or paths) or under one of them; in
        Python, for code that has already read the paths. False for an empty `path` or none given."""
        tops = tuple(cls.tree_paths(units_or_paths))
        return bool(path and tops) and path.startswith(tops)

    @classmethod
    def subtree_q(cls, units_or_paths, field="unit"):
        """A condition on another model: its unit (through `field`, as "user__unit"; "" for units
        themselves) is one of these units (or paths) or under one of them. No units or paths
        given, the condition matches no row."""
        lookup = f"{field}__path__startswith" if field else "path__startswith"
        paths = cls.tree_paths(units_or_paths)
        return reduce(or_, (Q(**{lookup: path}) for path in paths)) if paths else Q(pk__in=[])


class UserQuerySet(models.QuerySet):
    def with_email(self, email):
        return self.filter(email__iexact=email.strip())

    def count_per_unit(self):
        """{unit id: how many of these users are directly in the unit}, from one grouped query."""
        return dict(
            self.filter(unit__isnull=False)
            .values("unit_id")
            .annotate(count=models.Count("pk"))
            .values_list("unit_id", "count")
        )


class EmailUserManager(UserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user_object(self, email, password, **extra_fields):
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.password = ""
        if password is not None:
            user.set_password(password)
        else:
            user.set_unusable_password()
        return user

    def _create_user(self, email, password, **extra_fields):
        user = self._create_user_object(email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their e-mail address."""

    class StaffCategory(models.TextChoices):
        OFFICIAL = "official", _("Official")
        CIVIL_SERVANT = "civil_servant", _("Civil servant")
        STAFF = "staff", _("Public employee or staff")
        COLLABORATOR = "collaborator", _("Collaborator")
        OTHER = "other", _("Other")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=FULL_NAME_MAX_LENGTH)
    unit = models.ForeignKey(
        OrganisationUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    staff_category = models.CharField(_("staff category"), max_length=20, choices=StaffCategory.choices, blank=True)
    consent_given_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_notice_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]
        constraints = [
            # One account per address whatever its letter case.
            models.UniqueConstraint(models.functions.Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        # Vietnamese names are called by their last word: "Nguyễn Thị Lan" is "Lan".
        return self.full_name.split()[-1] if self.full_name.strip() else self.email


class ManagerScope(models.Model):
    """A manager sees the records of this unit and every unit below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="manager_scopes", verbose_name=_("manager"))
    unit = models.ForeignKey(
        OrganisationUnit, on_delete=models.CASCADE, related_name="manager_scopes", verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("manager scope")
        verbose_name_plural = _("manager scopes")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="accounts_managerscope_unique")]

    def __str__(self):
        return f"{self.user} → {self.unit}"
