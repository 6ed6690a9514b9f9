from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """Listed before django_tasks_db so that its `db_worker` command is this one."""

    name = "worker"
