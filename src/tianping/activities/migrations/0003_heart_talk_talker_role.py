# The talker of a 谈心谈话 record as an attendance role (DOMAIN.md D5).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_study_record"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attendance",
            name="role",
            field=models.CharField(
                choices=[
                    ("participant", "参加"),
                    ("lecturer", "授课"),
                    ("speaker", "发言/主讲"),
                    ("host", "主持"),
                    ("recorder", "记录"),
                    ("talker", "谈话人"),
                ],
                default="participant",
                max_length=20,
                verbose_name="角色",
            ),
        ),
    ]
