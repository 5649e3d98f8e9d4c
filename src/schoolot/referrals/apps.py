from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "schoolot.referrals"
    label = "referrals"
    verbose_name = "Referrals, consent and evaluation"
