"""Domain errors. They carry no HTTP: ``app/problem_types.py`` maps each to its problem once."""


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DomainError):
    """A value the caller sent is not acceptable; ``field`` names it (dotted path)."""

    def __init__(self, field: str, value: object, detail: str, location: str = "body") -> None:
        super().__init__(detail)
        self.field = field
        self.value = value
        self.location = location


class NotFound(DomainError):
    """The resource asked for does not exist (or is not visible to the caller)."""
