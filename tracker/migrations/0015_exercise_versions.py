"""Exercise versions and drafts: every exercise gets its first version (named by its bundle folder's content,
when the folder is there), existing submissions are recorded as graded against it, and the Curators group may
upload and edit bundles (drafts) and see versions."""

import hashlib
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

CODENAMES = ["view_exerciseversion", "view_exercisedraft", "add_exercisedraft"]


def _digest(folder):
    # The same rule as grader.intake.bundle_digest, frozen here as migrations are.
    digest = hashlib.sha256()
    files = [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(files, key=lambda p: p.relative_to(folder).as_posix()):
        relative = path.relative_to(folder).as_posix().encode()
        if relative == b"cases/MANIFEST.json":
            continue
        content = path.read_bytes()
        digest.update(len(relative).to_bytes(4, "big") + relative)
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def first_versions(apps, schema_editor):
    Exercise = apps.get_model("tracker", "Exercise")
    ExerciseVersion = apps.get_model("tracker", "ExerciseVersion")
    Submission = apps.get_model("tracker", "Submission")
    for exercise in Exercise.objects.all():
        folder = Path(settings.EXERCISES_DIR) / exercise.slug
        content_hash = _digest(folder) if (folder / "exercise.toml").is_file() else "0" * 64
        version = ExerciseVersion.objects.create(
            exercise=exercise, number=1, content_hash=content_hash, source="fixtures"
        )
        Exercise.objects.filter(pk=exercise.pk).update(current_version=version)
        Submission.objects.filter(exercise=exercise).update(version=version)


def grant(apps, schema_editor):
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
        ('tracker', '0014_lab_case_figures'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='exercise',
            name='toolchains',
            field=models.JSONField(blank=True, default=list, help_text='What the bundle needs installed on the grading machine (exercise.toml).'),
        ),
        migrations.AddField(
            model_name='submission',
            name='regrade_of',
            field=models.ForeignKey(blank=True, help_text='The submission whose code this re-grades on a newer version (that one keeps its result).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='regrades', to='tracker.submission'),
        ),
        migrations.CreateModel(
            name='ExerciseVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('number', models.PositiveIntegerField()),
                ('content_hash', models.CharField(max_length=64)),
                ('source', models.CharField(choices=[('fixtures', 'Curated bundle folder'), ('upload', 'Uploaded in the admin'), ('edit', 'Edited in the admin')], default='fixtures', max_length=10)),
                ('archive', models.BinaryField(blank=True, default=b'')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='tracker.exercise')),
            ],
            options={
                'ordering': ['exercise', '-number'],
                'base_manager_name': 'objects',
            },
        ),
        migrations.CreateModel(
            name='ExerciseDraft',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('source', models.CharField(choices=[('fixtures', 'Curated bundle folder'), ('upload', 'Uploaded in the admin'), ('edit', 'Edited in the admin')], default='upload', max_length=10)),
                ('archive', models.BinaryField()),
                ('archive_name', models.CharField(blank=True, max_length=200)),
                ('status', models.CharField(choices=[('queued', 'Waiting for a worker'), ('validating', 'Being validated'), ('published', 'Published'), ('refused', 'Refused')], default='queued', max_length=12)),
                ('slug', models.CharField(blank=True, max_length=80)),
                ('report', models.JSONField(blank=True, default=list)),
                ('message', models.TextField(blank=True)),
                ('sandboxed', models.BooleanField(default=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('exercise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='drafts', to='tracker.exercise')),
                ('version', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='drafts', to='tracker.exerciseversion')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'permissions': [('publish_custom_checker', 'Can publish bundles with a custom checker (it runs in the grading worker)')],
            },
        ),
        migrations.AddField(
            model_name='exercise',
            name='current_version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tracker.exerciseversion'),
        ),
        migrations.AddField(
            model_name='submission',
            name='version',
            field=models.ForeignKey(blank=True, help_text='The bundle version it was graded against (set when graded).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='tracker.exerciseversion'),
        ),
        migrations.AddConstraint(
            model_name='exerciseversion',
            constraint=models.UniqueConstraint(fields=('exercise', 'number'), name='exercise_version_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='exerciseversion',
            constraint=models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='exercise_version_number_positive'),
        ),
        migrations.AddConstraint(
            model_name='exerciseversion',
            constraint=models.CheckConstraint(condition=models.Q(('source__in', ['fixtures', 'upload', 'edit'])), name='exercise_version_source_valid'),
        ),
        migrations.AddConstraint(
            model_name='exerciseversion',
            constraint=models.CheckConstraint(condition=models.Q(('source', 'fixtures'), models.Q(('archive', b''), _negated=True), _connector='OR'), name='exercise_version_archive_present'),
        ),
        migrations.AddConstraint(
            model_name='exercisedraft',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'validating', 'published', 'refused'])), name='exercise_draft_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='exercisedraft',
            constraint=models.CheckConstraint(condition=models.Q(('source__in', ['upload', 'edit'])), name='exercise_draft_source_valid'),
        ),
        migrations.AddConstraint(
            model_name='exercisedraft',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), ('version__isnull', False), _connector='OR'), name='exercise_draft_published_has_version'),
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
