"""``python -m eqlang``: the same command as ``eqlang``, for machines where scripts are not
on the PATH."""

from eqlang.cli import main

main(prog_name="eqlang")
