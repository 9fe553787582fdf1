from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.files.models import Subject
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('auftrag', '0012_costs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mandate', fields.ForeignKeyField('auftrag.Mandate', source_field='mandate_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('subject_type', fields.CharEnumField(default=Subject.MANDATE, description='MANDATE: mandate\nRESPONSE: response\nCOST_ANALYSIS: cost_analysis\nMEASURE: measure', enum_type=Subject, max_length=16)),
                ('subject_id', fields.IntField(null=True)),
                ('filename', fields.CharField(max_length=120)),
                ('content_type', fields.CharField(max_length=120)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('uploader', fields.ForeignKeyField('auftrag.User', source_field='uploader_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attachment', 'app': 'auftrag', 'indexes': [Index(fields=['mandate_id', 'subject_type', 'subject_id'])], 'pk_attr': 'id', 'table_description': 'One attached file: its name and type as checked, and the key of its bytes (sha256).'},
            bases=['Model'],
        ),
    ]
