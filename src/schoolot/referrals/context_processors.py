from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    """The unread count for the header, counted only when a page shows it (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from schoolot.referrals.models import Notification

        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
