from django.urls import path

from certificates import views

urlpatterns = [
    path("certificates/<slug:serial_slug>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<slug:serial_slug>/status/", views.certificate_status, name="certificate_status"),
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify_certificate, name="verify_certificate"),
]
