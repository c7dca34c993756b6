from fastapi import status

from vidvault.core.exceptions import AppError, RetryLater

BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class EmailTaken(AppError):
    status_code = status.HTTP_409_CONFLICT
    detail = "An account with this email already exists"


class InvalidCredentials(AppError):
    status_code = status.HTTP_401_UNAUTHORIZED
    detail = "Incorrect email or password"
    headers = BEARER_CHALLENGE


class NotAuthenticated(AppError):
    status_code = status.HTTP_401_UNAUTHORIZED
    detail = "Not authenticated: log in and send the access token as a Bearer token"
    headers = BEARER_CHALLENGE


class TooManyLoginAttempts(RetryLater):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    detail = "Too many failed login attempts; try again later"


class TooManySignups(RetryLater):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    detail = "Too many sign-ups from this address; try again later"
