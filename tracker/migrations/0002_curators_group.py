"""The Curators group: may edit curated content and deadlines, holds no permission on learners' data."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED_MODELS = ["track", "item", "tag", "deadline", "skill"]
ACTIONS = ["view", "add", "change", "delete"]


def create_curators(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now to attach them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    codenames = [f"{action}_{model}" for model in CURATED_MODELS for action in ACTIONS]
    group.permissions.set(Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames))


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]
