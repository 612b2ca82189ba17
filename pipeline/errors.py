"""Typed errors. Each message says what went wrong and what to do; the CLI prints it as one line and exits
with the error's ``exit_code`` (the table is in the README, "Exit codes")."""

EXIT_INTERNAL = 1  # an unexpected exception: a bug; the traceback is printed with --verbose
EXIT_ENVIRONMENT = 74  # the system failed us (disk full, permission denied, I/O error): sysexits EX_IOERR


class PipelineError(Exception):
    """Base class: an error the CLI reports as one clear line, without a traceback."""

    exit_code = 2  # a refusal: bad configuration, input or output folder, usage


class ConfigError(PipelineError):
    """The configuration is invalid. Raised before any work starts."""


class InputError(PipelineError):
    """The input folder is missing or unreadable."""


class OutputError(PipelineError):
    """The output folder cannot be written."""


class ContractError(PipelineError):
    """A whole batch breaks the data contract (duplicate ids, empty text, Traditional residue …)."""

    exit_code = 3  # the data failed its contract; nothing was published


class ValidationFailed(ContractError):
    """The Great Expectations suite failed on the batch; nothing was published."""

    def __init__(self, message: str, failed_expectations: list[str] | None = None):
        super().__init__(message)
        self.failed_expectations = failed_expectations or []


class LockHeld(OutputError):
    """Another build holds the output folder's lock: try again when it has finished."""

    exit_code = 75  # sysexits EX_TEMPFAIL: a scheduler may retry later
