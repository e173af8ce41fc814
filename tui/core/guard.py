"""The guard `generate --guard` writes into the new set: SQL that runs on deploy and stops it on a
database that ran only part of the history the set replaces, which the set would otherwise
break (its files create what such a database half has) or silently skip.

Where the guard sits follows from how the tool decides what to run. Most run what their table
does not list, so the guard is the set's first file: a new database passes it, a database that
ran part of the history is stopped with the versions it lacks, and one that ran all of it is
stopped too, with `consolidate baseline` to run first, because the tool has already decided to
run the rest of the set onto tables that exist. golang-migrate runs only versions above the
newest it ran, so there the guard is the last file, numbered above the history: only it runs on
a database that ran the history, which passes when the history ran whole, and the tool then
records the guard's version, which is the set's newest (its bookkeeping is in line)."""

from __future__ import annotations

from typing import NamedTuple

from tui.core.errors import ConsolidateError
from tui.core.formats.base import Format, Migration, literal


class Guard(NamedTuple):
    """The guard's SQL, and its version where it goes last (empty: it goes first)."""

    sql: str
    version: str = ""


def make_guard(fmt: Format, replaced: list[Migration], new_files: int, ceiling: int | None = None) -> Guard | None:
    """The guard for a set of `new_files` files that replaces `replaced`, below version `ceiling`
    (the first migration kept after them, with --until); None where the format has no table to
    read (or nothing is replaced). A format that can take no guard (tern, graphile-migrate)
    refuses: the guard was asked for."""
    if fmt.no_guard:
        raise ConsolidateError(f"{fmt.name} gets no guard", f"{fmt.no_guard}; leave --guard out (and `guard` out of "
                               "consolidate.toml)" + (", and baseline the databases that ran the history" if fmt.table else ""))
    rec = fmt.recorded
    if rec is None or not replaced:
        return None
    idents = list(dict.fromkeys(rec.ident(m) for m in replaced))  # two files of one version are one row
    names = "ARRAY[" + ", ".join(literal(i) for i in idents) + "]::text[]"
    if rec.key is not None:
        key = {rec.ident(m): rec.key(m) for m in replaced}
        keys = "ARRAY[" + ", ".join(str(key[i]) for i in idents) + "]::numeric[]"
        ran = (f"ARRAY(SELECT s.v FROM unnest(replaced, {keys}) AS s(v, k)\n"
               f"              WHERE s.k <= (SELECT max(r.x::numeric) FROM ({rec.query}) AS r(x)))")
    else:
        ran = f"ARRAY(SELECT r.v FROM ({rec.query}) AS r(v) WHERE r.v = ANY (replaced))"
    last = idents[-1]
    if fmt.guard_last:
        full = "  -- it ran them all: only this file was pending, and the tool now records it as the newest.\n"
    else:
        full = (f"  RAISE EXCEPTION 'consolidate guard: this database ran every migration this set replaces, so it has what the "
                f"set builds; its {fmt.table} table must list the new set before a deploy'\n"
                "    USING HINT = 'run consolidate baseline --database-url <this database> (it compares the schema first), then deploy again';\n")
    sql = f"""\
DO $consolidate_guard$
DECLARE
  replaced text[] := {names};
  ran text[];
BEGIN
  IF to_regclass({literal(fmt.table)}) IS NULL THEN
    RETURN;  -- a new database: the set builds it
  END IF;
  ran := {ran};
  IF cardinality(ran) = 0 THEN
    RETURN;  -- none of them ran here: the set builds it
  END IF;
  IF cardinality(ran) < cardinality(replaced) THEN
    RAISE EXCEPTION 'consolidate guard: this database ran % of the % migrations this set replaces; it lacks %',
      cardinality(ran), cardinality(replaced),
      array_to_string(ARRAY(SELECT x FROM unnest(replaced) AS x WHERE NOT x = ANY (ran) LIMIT 5), ', ')
      || CASE WHEN cardinality(replaced) - cardinality(ran) > 5 THEN ' ...' ELSE '' END
      USING HINT = {literal(f"deploy a release that still has the old migrations (up to {last}) first, then this one")};
  END IF;
{full}END
$consolidate_guard$"""
    if not fmt.guard_last:
        return Guard(sql)
    version = max(max(int(rec.key(m)) if rec.key else 0 for m in replaced), new_files) + 1
    if ceiling is not None and version >= ceiling:
        raise ConsolidateError("no version is left for the guard",
                               f"it must run after the set and before the kept migration {ceiling}; squash up to an earlier "
                               "version, or leave --guard out")
    return Guard(sql, str(version))


HEADER = ("-- guard: stops a deploy on a database that ran only part of the history this set replaces\n"
          "-- (consolidate generate --guard); a new database passes it\n\n")
