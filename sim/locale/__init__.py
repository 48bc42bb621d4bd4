"""Message catalogues of talentsim (gettext .po files, one folder per language) and their extractor."""
