from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.permissions import Level
from tortoise.fields.base import OnDelete
from tortoise import fields



class DropColumn(ops.RemoveField):
    """Drops the column in place. Tortoise's SQLite way rebuilds the table and drops the
    old one, and with foreign keys on that deletes every district, membership and mandate
    of every municipality; ALTER TABLE DROP COLUMN (SQLite 3.35+, PostgreSQL) keeps them."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            await state_editor.client.execute_script(
                f'ALTER TABLE "municipality" DROP COLUMN "{self.name}"'
            )


class Migration(migrations.Migration):
    dependencies = [('auftrag', '0007_event_envelope')]

    initial = False

    operations = [
        ops.CreateModel(
            name='VerificationLevel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('auftrag.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='verification_levels', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=64)),
                ('level', fields.CharEnumField(default=Level.EMAIL, description='EMAIL: email_verified\nRESIDENT: resident_verified', enum_type=Level, max_length=24)),
            ],
            options={'table': 'municipality_verification_level', 'app': 'auftrag', 'unique_together': (('municipality', 'action'),), 'pk_attr': 'id', 'table_description': 'How verified people must be for one action here, a verified email when unset.'},
            bases=['Model'],
        ),
        # Today's three columns become one row each, for every municipality.
        ops.RunSQL(
            [
                "INSERT INTO municipality_verification_level (municipality_id, action, level) "
                f"SELECT id, '{action}', {column} FROM municipality"
                for column, action in (
                    ("launch_level", "mandate:launch"),
                    ("sign_level", "mandate:sign"),
                    ("vote_level", "vote:cast"),
                )
            ]
        ),
        DropColumn(model_name='Municipality', name='launch_level'),
        DropColumn(model_name='Municipality', name='sign_level'),
        DropColumn(model_name='Municipality', name='vote_level'),
    ]
