"""Everything that talks to PostgreSQL: providers, catalog snapshot, comparison."""
