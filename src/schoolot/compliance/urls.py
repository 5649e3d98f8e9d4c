from django.urls import path

from schoolot.compliance import views

urlpatterns = [
    path("due/", views.due_list, name="due_list"),
    path("due.csv", views.due_csv, name="due_csv"),
    path("workload/", views.workload, name="workload"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("students/<id:student_id>/minutes/", views.student_minutes, name="student_minutes"),
]
