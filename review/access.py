"""Who may use the review queue: staff in the reviewers' group, and superusers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

REVIEWER_GROUP = "Support reviewers"


def is_reviewer(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or (user.is_staff and user.groups.filter(name=REVIEWER_GROUP).exists()))


def reviewer_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Send anonymous visitors to log in; refuse signed-in people who are not reviewers."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_reviewer(request.user):
            raise PermissionDenied("Only support reviewers can open the review queue.")
        return view(request, *args, **kwargs)

    return wrapper
