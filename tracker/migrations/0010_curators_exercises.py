"""Curators see exercises and submissions (with each case's result) and may re-grade a submission; they
cannot add or edit exercises here (those come from the bundles through `manage.py seed`)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    "view_exercise",
    "view_submission",
    "view_submissioncaseresult",
    "regrade_submission",
]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now to attach them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="tracker", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Curators").first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="tracker", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0009_exercises"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
