"""Marks the address of every existing account as verified.

Those accounts were created before Brainqueue verified addresses (sign-up took the address as typed and the
daily e-mails went to it), so none has a verification record. Without this migration the reminder gate
(only verified addresses get e-mail) would silently stop the e-mails of every learner who has them now.
Accounts made from here on verify their address through the link allauth e-mails them.
"""

from django.db import migrations
from django.db.models.functions import Lower


def mark_existing_addresses_verified(apps, schema_editor):
    User = apps.get_model("tracker", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.annotate(low=Lower("email")).values_list("user_id", "low"))
    rows = [
        EmailAddress(user_id=pk, email=email, verified=True, primary=True)
        for pk, email in User.objects.exclude(email="").values_list("pk", "email").iterator()
        if (pk, email.lower()) not in known
    ]
    EmailAddress.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0010_curators_exercises"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(mark_existing_addresses_verified, migrations.RunPython.noop)]
