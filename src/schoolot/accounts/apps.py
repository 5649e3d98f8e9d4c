from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "schoolot.accounts"
    label = "accounts"
