"""English dates as the newsroom writes them ("2 December 2026"), not Django's US default
("Dec. 2, 2026"). Spanish keeps Django's own formats ("2 de diciembre de 2026")."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j M"
