"""``python -m eqlang``: the same command as ``eqlang``, for machines where scripts are not
on the PATH."""

from eqlang.cli import entry_point

entry_point()
