"""Pure analysis core: no Textual, no database. Data in, data out."""
