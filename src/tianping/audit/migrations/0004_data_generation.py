from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_sqlite_no_delete"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataGeneration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
            ],
            options={
                "verbose_name": "数据版本",
                "verbose_name_plural": "数据版本",
            },
        ),
    ]
