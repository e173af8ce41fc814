"""Statements that reach the machine the server runs on: a command run by the server, a file
read or written on its disk, a library loaded into it, its configuration changed, or another
host reached from it.

Migrations are untrusted input. On a throwaway server that runs on this machine (local,
embedded) or on the user's own server, such a statement would act outside the scratch database,
so it is refused there; in a Docker container it acts inside the container only. The scan reads
the text, so it also sees these in DO blocks, function bodies and dynamic SQL strings.
"""

from __future__ import annotations

import functools
import re

# The letters outside ASCII that Python's patterns match to ASCII ones when they ignore case.
_AS_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})

# Each: what it does, the pattern, and the words the pattern cannot match without (one at least).
_PATTERNS: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (what, re.compile(rx, re.IGNORECASE), words) for what, rx, words in (
    ("COPY ... PROGRAM runs a command on the server's machine", r"\bCOPY\b[^;]{0,400}?\b(?:FROM|TO)\s+PROGRAM\b", ("program",)),
    ("COPY with a file name reads or writes a file on the server's machine",
     r"\bCOPY\b[^;]{0,400}?\b(?:FROM|TO)\s+(?:E?'[^']*'|\$\w*\$)", ("copy",)),
    ("a server-side file function reads or writes the server's disk",
     r"\b(?:lo_import|lo_export|pg_read_file|pg_read_binary_file|pg_ls_dir|pg_stat_file|pg_file_write|pg_file_rename|pg_file_unlink)\s*\(", ("lo_", "pg_")),
    ("an untrusted language or a C function runs code on the server's machine",
     r"\bLANGUAGE\s+'?(?:plpython3?u|plperlu|pltclu|c|internal)\b'?", ("language",)),
    ("an extension that reaches the disk, the network or untrusted code",
     r"\bCREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(?:plpython3?u|plperlu|pltclu|adminpack|file_fdw|dblink|postgres_fdw|pg_cron)\b", ("extension",)),
    ("ALTER SYSTEM changes the server's configuration (commands such as archive_command run on its machine)",
     r"\bALTER\s+SYSTEM\b", ("system",)),
    ("LOAD puts a library from the server's disk into it", r"(?:^|;)\s*LOAD\s+'", ("load",)),
    ("a tablespace puts files in a folder of the server's machine", r"\bCREATE\s+TABLESPACE\b", ("tablespace",)),
    ("a subscription connects the server to another host", r"\b(?:CREATE|ALTER)\s+SUBSCRIPTION\b", ("subscription",)),
    ("a preload setting loads libraries from the server's disk", r"\b(?:session|local|shared)_preload_libraries\b", ("_preload_libraries",)),
))


@functools.lru_cache(maxsize=4096)
def host_access(sql: str, first_line: int = 1) -> tuple[tuple[int, str], ...]:
    """(line, what) of each place in `sql` that would act on the server's machine. Kept per text:
    the proof and validate run the same history several times (0.6 s a scan at 50,000 statements).
    A pattern is run only where the text holds one of its words (each pattern over 27 MB of seed
    rows took 0.2 s); the few other letters the patterns match, ignoring case, are made ASCII first."""
    out = []
    folded = sql.translate(_AS_ASCII).lower()
    for what, rx, words in _PATTERNS:
        if not any(w in folded for w in words):
            continue
        for m in rx.finditer(sql):
            start = m.start()
            while sql[start] in "; \t\r\n":  # (LOAD's match starts at the semicolon before it)
                start += 1
            out.append((first_line + sql.count("\n", 0, start), what))
    return tuple(sorted(out))
