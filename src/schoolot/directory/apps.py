from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "schoolot.directory"
    label = "directory"
