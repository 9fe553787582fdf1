"""Domain errors. Routes translate them to problem details; commands only raise them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, **extra: object):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        return cls(message, [FieldError(field, message)])


class NotAuthenticated(DomainError):
    status = 401
    title = "Not signed in"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
