"""The exit codes of every command, in one place: scripts and CI rely on them (see DESIGN.md)."""

OK = 0
DIFFERENT = 1  # validate: the new set builds another database
ERROR = 2  # bad input, refused, failed, or nothing to work on
