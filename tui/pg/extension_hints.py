"""Where to get an extension a history creates that the proof's server lacks: the package that
installs it beside Debian's or Ubuntu's PostgreSQL (from the PostgreSQL project's apt repository
where Debian has none), or a Docker image that ships it (`image` in consolidate.toml)."""

from __future__ import annotations

# Extension -> its package, `{m}` the server's major version. The names are those of
# apt.postgresql.org, which Debian's own packages follow.
_PACKAGES = {
    "postgis": "postgresql-{m}-postgis-3", "postgis_topology": "postgresql-{m}-postgis-3",
    "postgis_raster": "postgresql-{m}-postgis-3", "postgis_tiger_geocoder": "postgresql-{m}-postgis-3",
    "address_standardizer": "postgresql-{m}-postgis-3", "pgrouting": "postgresql-{m}-pgrouting",
    "vector": "postgresql-{m}-pgvector", "pg_cron": "postgresql-{m}-cron", "pg_partman": "postgresql-{m}-partman",
    "hypopg": "postgresql-{m}-hypopg", "pg_repack": "postgresql-{m}-repack", "h3": "postgresql-{m}-h3",
    "pgaudit": "postgresql-{m}-pgaudit", "orafce": "postgresql-{m}-orafce", "rum": "postgresql-{m}-rum",
    "pgtap": "postgresql-{m}-pgtap", "ip4r": "postgresql-{m}-ip4r", "semver": "postgresql-{m}-semver",
    "periods": "postgresql-{m}-periods", "pg_hint_plan": "postgresql-{m}-pg-hint-plan", "age": "postgresql-{m}-age",
    "plpython3u": "postgresql-plpython3-{m}", "plperl": "postgresql-plperl-{m}", "pltcl": "postgresql-pltcl-{m}",
    "timescaledb": "timescaledb-2-postgresql-{m} (Timescale's apt repository)",
}
_IMAGES = {"postgis": "postgis/postgis:{m}-3.5", "vector": "pgvector/pgvector:pg{m}", "timescaledb": "timescale/timescaledb:latest-pg{m}"}


def install_hint(provider: str, missing: list[str], version: str) -> str:
    """What to install, or which image to use, to get `missing` on that provider's server ("" where
    nothing is known)."""
    major = version.split(".", 1)[0] if version[:1].isdigit() else ""
    if not major:
        return ""
    if provider == "local":
        packages = dict.fromkeys(_PACKAGES[e].format(m=major) for e in missing if e in _PACKAGES)
        return f" (apt-get install {' '.join(packages)})" if packages else ""
    if provider == "docker":
        image = next((_IMAGES[e] for e in missing if e in _IMAGES), "")
        has = [e for e in missing if _IMAGES.get(e) == image]
        return f' (image = "{image.format(m=major)}" in consolidate.toml has {", ".join(has)})' if image else ""
    return ""
