"""The one exception type for mistakes a user can fix."""


class UserError(Exception):
    """Bad input from a user: a flag value, a file, a sentence, a run directory.

    The message is one sentence that names the bad thing and what to do about
    it; the command line prints it alone and exits non-zero.
    """
