from django.urls import path

from . import views, views_board, views_saved

app_name = "insights"

urlpatterns = [
    path("organisations/<slug:slug>/insight/", views.organisation, name="organisation"),
    path("staff/organisations/<slug:slug>/insight/", views.staff, name="staff"),
    # Saved views and their email reports (views_saved.py).
    path("staff/saved-views/", views_saved.index, name="saved_views"),
    path("staff/saved-views/save/", views_saved.save, name="saved_view_save"),
    path("staff/saved-views/<int:pk>/rename/", views_saved.rename, name="saved_view_rename"),
    path("staff/saved-views/<int:pk>/delete/", views_saved.delete, name="saved_view_delete"),
    path("staff/saved-views/<int:pk>/report/", views_saved.schedule, name="saved_view_schedule"),
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
