from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect


def home(request):
    """Therapists start on their day; everyone else on the students she may see."""
    if request.user.is_superuser and request.user.district_id is None:
        return redirect("admin:index")
    if request.user.role == "therapist":
        return redirect("today")
    return redirect("caseload")


@login_not_required
def healthz(request):
    """Liveness and database reachability for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means not ready
        return JsonResponse({"status": "database unavailable"}, status=503)
    return HttpResponse("ok", content_type="text/plain")
