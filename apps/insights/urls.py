from django.urls import path

from . import views, views_board

app_name = "insights"

urlpatterns = [
    path("organisations/<slug:slug>/insight/", views.organisation, name="organisation"),
    path("staff/organisations/<slug:slug>/insight/", views.staff, name="staff"),
    # The board report (views_board.py).
    path(
        "staff/organisations/<slug:slug>/board-report/",
        views_board.board_report_page,
        name="board_report",
    ),
    path(
        "staff/organisations/<slug:slug>/board-report.pdf",
        views_board.board_report_pdf,
        name="board_report_pdf",
    ),
    path(
        "staff/organisations/<slug:slug>/board-report/targets/",
        views_board.targets,
        name="board_targets",
    ),
]
