"""Typed errors. Each message says what went wrong and what to do; the CLI prints it as one line."""


class PipelineError(Exception):
    """Base class: an error the CLI reports as one clear line, without a traceback."""


class ConfigError(PipelineError):
    """The configuration is invalid. Raised before any work starts."""


class InputError(PipelineError):
    """The input folder is missing or unreadable."""


class OutputError(PipelineError):
    """The output folder cannot be written."""


class ContractError(PipelineError):
    """A whole batch breaks the data contract (duplicate ids, empty text, Traditional residue …)."""


class ValidationFailed(ContractError):
    """The Great Expectations suite failed on the batch; nothing was published."""

    def __init__(self, message: str, failed_expectations: list[str] | None = None):
        super().__init__(message)
        self.failed_expectations = failed_expectations or []
