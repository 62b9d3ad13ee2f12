from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def demo(request: HttpRequest) -> HttpResponse:
    """A stand-in for the bank's own website, embedding the widget with its one script tag."""
    context = {
        "widget_endpoint": f"{request.scheme}://{request.get_host()}",
        "open": request.GET.get("open") == "1",
    }
    return render(request, "widget/demo.html", context)
